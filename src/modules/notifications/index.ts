/**
 * Notifications: the one way Frontdoor sends emails, text messages and letters (see README.md and
 * docs/notifications.md). Other modules call `queueMessage` inside their business transaction.
 */
export {
  queueMessage,
  SEND_TOPIC,
  MAX_DELIVERY_ATTEMPTS,
  URGENT_TEMPLATES,
  type QueueMessageInput,
  type QueueInBatch,
  type AuthorityContact,
} from './notifications.service.ts';
export { notificationJobHandlers, deliverMessage, type SendDeps } from './notifications.jobs.ts';
export {
  adaptersFromConfig,
  notifyAdapter,
  smtpAdapter,
  notifyTemplateId,
  DeliveryError,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RESPONSE_TIMEOUT_MS,
  type ProviderTimeouts,
  type DeliveryAdapter,
  type DeliveryAdapters,
  type OutgoingMessage,
} from './notifications.adapters.ts';
export { registerStaffMessageRoutes } from './notifications.staff.routes.ts';
export {
  renderMessage,
  TEMPLATE_NAMES,
  REQUIRED_PERSONALISATION,
  type TemplateName,
  type MessageChannel,
} from './notifications.templates.ts';
export { resolveRecipient } from './notifications.channels.ts';
