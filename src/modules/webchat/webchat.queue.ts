/**
 * The estimated wait shown to a resident in the queue (pure; see docs/webchat.md "Queue position and
 * wait"). Places free up at the rate the live agents finish chats: with `totalSlots` places in all and a
 * recent mean handle time of `handleMinutes`, one place frees about every `handleMinutes / totalSlots`
 * minutes, so the chat at `position` waits for `position - freeSlots` of them.
 */
export const DEFAULT_HANDLE_MINUTES = 6;

export interface WaitInputs {
  /** 1 = next to be answered. */
  position: number;
  /** Places free now among live agents (limit − chats held − offers pending). */
  freeSlots: number;
  /** The sum of the live agents' limits. */
  totalSlots: number;
  /** Mean minutes from answer to end of recent chats; null when there are none yet. */
  handleMinutes: number | null;
}

/** Whole minutes (0: a person should answer straight away); null when no agent is available to say. */
export function estimateWaitMinutes(input: WaitInputs): number | null {
  if (input.totalSlots <= 0) return null;
  const ahead = input.position - input.freeSlots;
  if (ahead <= 0) return 0;
  const handle = input.handleMinutes ?? DEFAULT_HANDLE_MINUTES;
  return Math.max(1, Math.ceil((ahead * handle) / input.totalSlots));
}
