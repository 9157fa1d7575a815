/**
 * What people type to reach us or to find their request: phone numbers, email addresses, postcodes and
 * case references. One normaliser per concept, used by every module (docs/contact-details.md).
 */
export {
  normalisePhone,
  canReceiveTexts,
  phoneKind,
  isUkPhone,
  displayPhone,
  type PhoneKind,
} from './phone.ts';
export { normaliseEmail } from './email.ts';
export { normalisePostcode, postcodeKey } from './postcode.ts';
export { normaliseReference, referencesInBody, REFERENCE_ALPHABET, REFERENCE_PATTERN } from './reference.ts';
