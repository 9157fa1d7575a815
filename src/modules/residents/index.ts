/**
 * Residents: accounts without passwords (emailed code, or GOV.UK One Login), "Your account", "Your
 * details" and "Your requests", and the "tell us once" profile other modules prefill from and save to.
 * See README.md and docs/residents.md.
 */
export { registerResidentRoutes } from './residents.portal.routes.ts';
export { profileForPrefill, offerToSaveToProfile, saveToProfile } from './residents.profile.ts';
export { ResidentAccounts } from './residents.service.ts';
