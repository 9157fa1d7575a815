/**
 * The email channel (see README.md and docs/email.md): receiving (IMAP polling, the inbound SMTP
 * endpoint), parsing, telling automatic replies, loops and bounces apart, the sender's authentication
 * verdict, threading each email onto the right case (or triage), mailboxes, and the threading headers of
 * outbound mail.
 */
export { parseInbound, type InboundMessage } from './email.inbound.ts';
export { classify, mayAutoAcknowledge } from './email.classify.ts';
export { threadCandidates, subjectTopic, signReplyAddress } from './email.threading.ts';
export { outboundThreading } from './email.outbound.ts';
export { ingestEmail, type IngestDeps } from './email.ingest.ts';
export { ensureMailbox } from './email.mailboxes.ts';
export { startInboundSmtp, type InboundSmtp, type ReceivedSmtpMail } from './email.smtp-ingress.ts';
export { senderTrusted } from './email.authentication.ts';
export { ImapPoller, type ImapCursor, type ImapMail } from './email.imap.ts';
export { startEmailReceiving, type RunningReceivers } from './email.receiving.ts';
export { registerEmailStaffRoutes, caseEmailThread } from './email.staff.routes.ts';
export { registerEmailMetrics } from './email.metrics.ts';
