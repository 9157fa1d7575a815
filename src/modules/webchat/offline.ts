/**
 * The webchat hours' public surface (issue 16), re-exported by the module's index.ts: the message form
 * behind a closed or full chat, the "Chat with us" entry on portal pages, and `chatAvailability`.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import {
  DEFAULT_AVAILABILITY_SETTINGS,
  cachedAvailability,
  chatAvailability,
  noAgents,
  type CapacityReader,
  type ChatAvailabilitySettings,
} from './webchat.availability.ts';
import { readChatHours } from './webchat.hours.ts';
import type { ChatAvailability } from './webchat.contracts.ts';
import { registerOfflineRoutes } from './webchat.offline.routes.ts';
import { DEFAULT_OFFLINE_SETTINGS, type OfflineSettings } from './webchat.offline.service.ts';

export interface ChatOfflineDeps {
  db: Db;
  clock: Clock;
  /** The chat hours file (JSON, docs/webchat.md); absent or missing: the demo's hours. */
  hoursFile?: string | null;
  /** The front door's capacity: the core's `() => chatCapacity(db, authorityId, clock.now())`. */
  capacity?: CapacityReader;
  availabilitySettings?: ChatAvailabilitySettings;
  offlineSettings?: OfflineSettings;
  /** How long the availability is remembered for the "Chat with us" entry (default 5 seconds). */
  cacheMs?: number;
}

/**
 * Registers /contact/message… and the "Chat with us" entry on portal pages; returns the (cached)
 * availability, for the chat's own start page.
 */
export async function registerChatOfflineRoutes(
  app: FastifyInstance,
  deps: ChatOfflineDeps,
): Promise<(now: Date) => Promise<ChatAvailability>> {
  const hours = readChatHours(deps.hoursFile);
  const capacity = deps.capacity ?? noAgents;
  const settings = deps.availabilitySettings ?? DEFAULT_AVAILABILITY_SETTINGS;
  const availability = cachedAvailability(
    (now) => chatAvailability({ hours, capacity, now, settings }),
    deps.cacheMs ?? 5_000,
  );
  await registerOfflineRoutes(app, {
    db: deps.db,
    clock: deps.clock,
    hours: () => hours,
    availability,
    settings: deps.offlineSettings ?? DEFAULT_OFFLINE_SETTINGS,
  });
  return availability;
}

export { chatAvailability };
