/**
 * Residents: accounts without passwords (emailed code, or GOV.UK One Login), "Your account", "Your
 * details" and "Your requests", and the "tell us once" profile other modules prefill from and save to.
 * See README.md and docs/residents.md.
 */
export {
  registerResidentRoutes,
  type ResidentRoutesDeps,
  type OneLoginSettings,
} from './residents.portal.routes.ts';
export {
  profileForPrefill,
  offerToSaveToProfile,
  saveToProfile,
  loadProfile,
  type PrefillProfile,
  type ProfileAddress,
  type ProfileChanges,
  type ResidentProfile,
  type ChangedField,
  type SaveOptions,
  type SaveResult,
} from './residents.profile.ts';
export {
  ResidentAccounts,
  CODE_TTL_MINUTES,
  MAX_CODE_ATTEMPTS,
  MAX_CODES_PER_WINDOW,
  RATE_WINDOW_MINUTES,
} from './residents.service.ts';
