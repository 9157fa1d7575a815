/**
 * The email channel's foundations (see README.md and docs/email.md): parsing inbound mail, telling
 * automatic replies, loops and bounces apart, the keys that thread a message onto a case, and the
 * threading headers of outbound mail. Pure code: receiving (IMAP, SMTP) and storing come later.
 */
export { parseInbound, type InboundMessage } from './email.inbound.ts';
export { classify, mayAutoAcknowledge } from './email.classify.ts';
export { threadCandidates, subjectTopic } from './email.threading.ts';
export { outboundThreading } from './email.outbound.ts';
export { ImapPoller, type ImapCursor, type ImapMail } from './email.imap.ts';
