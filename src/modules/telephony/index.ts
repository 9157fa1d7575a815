/**
 * The phone channel (see README.md and docs/telephony.md): call events in from the council's phone
 * platform, caller identification and screen pop, the call log and wrap-up, missed calls, agents' phone
 * identities and phone queues.
 */
export { registerTelephonyEvents } from './telephony.routes.ts';
export { ensurePhoneQueue } from './telephony.queues.ts';
export { registerTelephonyStaffRoutes } from './telephony.staff.routes.ts';
