/**
 * The texts module's public surface (issue 17, item 4): GOV.UK Notify's callbacks (delivery receipts,
 * received texts), the reconciliation poll of received texts, threading texts onto cases, STOP/START.
 * See README.md and docs/texts.md.
 */
export { registerTextsCallbacks } from './texts.callbacks.routes.ts';
export { registerTextsStaffRoutes } from './texts.staff.routes.ts';
export { pollReceivedTexts } from './texts.service.ts';
export { textsJobHandlers, TEXTS_POLL_TOPIC } from './texts.jobs.ts';
