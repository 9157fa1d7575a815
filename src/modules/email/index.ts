/**
 * The email channel's foundations (see README.md and docs/email.md): parsing inbound mail, telling
 * automatic replies, loops and bounces apart, the keys that thread a message onto a case, and the
 * threading headers of outbound mail; the inbound SMTP endpoint (an adapter, not wired to the app yet) and
 * the rule for trusting a sender (DKIM/SPF/DMARC). Receiving by IMAP and storing come later.
 */
export { parseInbound, type InboundMessage } from './email.inbound.ts';
export { classify, mayAutoAcknowledge } from './email.classify.ts';
export { threadCandidates, subjectTopic } from './email.threading.ts';
export { outboundThreading } from './email.outbound.ts';
export { startInboundSmtp, type InboundSmtp, type ReceivedSmtpMail } from './email.smtp-ingress.ts';
export { senderTrusted } from './email.authentication.ts';
