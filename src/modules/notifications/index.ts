/**
 * Notifications: the one way Frontdoor sends emails, text messages and letters (see README.md and
 * docs/notifications.md). Other modules call `queueMessage` inside their business transaction.
 */
export { queueMessage, type QueueInBatch, type QueueMessageInput } from './notifications.service.ts';
export { notificationJobHandlers, deliverMessage, RECONCILE_STATUSES_TOPIC } from './notifications.jobs.ts';
export { applyProviderStatus, reconcileStatuses } from './notifications.receipts.ts';
export { recordOptOut, removeOptOut, markContactUndeliverable } from './notifications.repository.ts';
export {
  adaptersFromConfig,
  notifyAdapter,
  notifyTextInbox,
  type TextInbox,
  DeliveryError,
  type DeliveryAdapters,
} from './notifications.adapters.ts';
export { registerStaffMessageRoutes } from './notifications.staff.routes.ts';
export { channelOfContactAnswer } from './notifications.channels.ts';
export { templateLabel } from './notifications.presenters.ts';
