/**
 * Whether a resident can start a chat now (issue 16): closed outside the chat hours; full when no agent is
 * available or the queue is at its limit; otherwise open until closing time. The capacity comes from the
 * conversation core as a function, so the hours never read its tables.
 */
import type { WorkingDayCalendar } from '../../platform/calendar/index.ts';
import type { ChatAvailability, ChatCapacity } from './webchat.contracts.ts';
import { chatCalendar, chatOpenAt, type ChatHours } from './webchat.hours.ts';

export interface ChatAvailabilitySettings {
  /**
   * How many residents may wait per available agent once every free place is taken: the queue's limit is
   * free places + this × available agents (e.g. 2 agents, 1 free place, 2 each: 5 may be queued).
   */
  maxQueuedPerAgent: number;
}

export const DEFAULT_AVAILABILITY_SETTINGS: ChatAvailabilitySettings = { maxQueuedPerAgent: 2 };

/** The core's `chatCapacity(db, authorityId, now)`, bound to the front door. */
export type CapacityReader = () => Promise<ChatCapacity>;

/** Until the conversation core is wired: nobody is available, so chat is always full in hours. */
export const noAgents: CapacityReader = async () => ({ agentsAvailable: 0, freeSlots: 0, queued: 0 });

export interface ChatAvailabilityInput {
  hours: ChatHours;
  capacity: CapacityReader;
  now: Date;
  settings?: ChatAvailabilitySettings;
  calendar?: WorkingDayCalendar;
}

/** Whether the queue is at its limit (or nobody can take a chat). */
export function isFull(capacity: ChatCapacity, settings: ChatAvailabilitySettings): boolean {
  if (capacity.agentsAvailable <= 0) return true;
  const limit = Math.max(0, capacity.freeSlots) + settings.maxQueuedPerAgent * capacity.agentsAvailable;
  return capacity.queued >= limit;
}

/** Closed outside hours (the capacity is not read then); full at capacity; else open until `closesAt`. */
export async function chatAvailability(input: ChatAvailabilityInput): Promise<ChatAvailability> {
  const settings = input.settings ?? DEFAULT_AVAILABILITY_SETTINGS;
  const state = chatOpenAt(input.hours, input.now, input.calendar ?? chatCalendar());
  if (!state.open) return { available: false, reason: 'closed', nextOpening: state.nextOpening };
  const capacity = await input.capacity();
  if (isFull(capacity, settings)) return { available: false, reason: 'full', nextOpening: null };
  return { available: true, closesAt: state.closesAt };
}

/**
 * The availability remembered for `ttlMs` (by the clock's time), so the "Chat with us" entry on every
 * portal page costs one capacity read every few seconds, not one per page. Concurrent misses share a read;
 * a failed read is not remembered (the next page tries again).
 */
export function cachedAvailability(
  read: (now: Date) => Promise<ChatAvailability>,
  ttlMs: number,
): (now: Date) => Promise<ChatAvailability> {
  let cached: { at: number; value: Promise<ChatAvailability> } | null = null;
  return (now) => {
    const t = now.getTime();
    if (cached && t >= cached.at && t - cached.at < ttlMs) return cached.value;
    const value = read(now);
    const entry = { at: t, value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = null;
    });
    return value;
  };
}
