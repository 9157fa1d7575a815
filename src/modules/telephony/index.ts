/**
 * The phone channel (see README.md, docs/telephony.md and docs/telephony-figures.md): call events in from
 * the council's phone platform, caller identification and screen pop, the call log and wrap-up, missed
 * calls, agents' phone identities, phone queues, and the contact-centre figures and wallboard.
 */
export { registerTelephonyEvents } from './telephony.routes.ts';
export { ensurePhoneQueue } from './telephony.queues.ts';
export { registerTelephonyStaffRoutes } from './telephony.staff.routes.ts';
export { registerPhoneFigures } from './telephony.wallboard.routes.ts';
