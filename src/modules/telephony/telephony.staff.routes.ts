/** The phone channel's staff pages (docs/telephony.md "Staff"). */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/index.ts';
import type { Clock } from '../../platform/clock.ts';

export interface TelephonyStaffDeps {
  db: Db;
  clock: Clock;
}

export async function registerTelephonyStaffRoutes(
  _app: FastifyInstance,
  _deps: TelephonyStaffDeps,
): Promise<void> {}
