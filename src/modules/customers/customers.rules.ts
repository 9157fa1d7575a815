/**
 * Domain rules for customers that need no database: kept pure so their boundaries are unit-tested.
 */

/** How long after a contact about a service another contact about the same service counts as a repeat. */
export const REPEAT_CONTACT_WINDOW_DAYS = 7;
const WINDOW_MS = REPEAT_CONTACT_WINDOW_DAYS * 24 * 60 * 60 * 1000;

/**
 * A contact is a repeat when the same customer contacted us about the same service at most 7 days
 * (168 hours, inclusive) before it. Repeat contacts are "failure demand": the first contact did not
 * resolve the need. `earlier` is the latest earlier contact about that service (or null if none).
 */
export function isRepeatContact(earlier: Date | null, at: Date): boolean {
  if (!earlier) return false;
  const gap = at.getTime() - earlier.getTime();
  return gap >= 0 && gap <= WINDOW_MS;
}

/** The earliest moment an earlier contact can be and still make a contact at `at` a repeat. */
export function repeatWindowStart(at: Date): Date {
  return new Date(at.getTime() - WINDOW_MS);
}

/** What happened at the end of a contact. `resolved` is "resolved at first contact". */
export const CONTACT_OUTCOMES = {
  resolved: 'Resolved at first contact',
  case_updated: 'Added to an existing case',
  passed_to_service: 'Passed to the service team',
  callback: 'Call back arranged',
  signposted: 'Signposted to another organisation',
} as const;
export type ContactOutcome = keyof typeof CONTACT_OUTCOMES;

/** The channels staff log contacts for, in the order the form offers them. */
export const LOGGABLE_CHANNELS = {
  phone: 'Phone',
  face_to_face: 'Face to face',
  email: 'Email',
  letter: 'Letter',
  webchat: 'Webchat',
} as const;
export type LoggableChannel = keyof typeof LOGGABLE_CHANNELS;
