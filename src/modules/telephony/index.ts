/**
 * The telephony module's public surface. Contact-centre figures and the wallboard (issue 14): see
 * README.md and docs/telephony-figures.md.
 */
export { registerPhoneFigures } from './telephony.wallboard.routes.ts';
