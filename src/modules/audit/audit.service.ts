/**
 * Searching the audit log: by person (a member of staff by email or name, or any actor id such as a
 * customer id) and/or by record (a case reference, or a record type and id), narrowed by dates and
 * action. Only rows of the councils the searcher works for, rows about records those councils own (a county
 * agent reading a city customer is seen by the city's auditors too), and rows with no council. Every search is
 * itself audited (`audit.searched`).
 */
import { audit } from '../../platform/audit/index.ts';
import {
  addCalendarDays,
  loadDefaultCalendar,
  type WorkingDayCalendar,
} from '../../platform/calendar/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { findByReference } from '../cases/index.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import * as repo from './audit.repository.ts';
import { isUuid, parseDay, type AuditSearch } from './audit.schemas.ts';

export const AUDIT_PAGE_SIZE = 50;

let calendar: WorkingDayCalendar | null = null;
const londonCalendar = (): WorkingDayCalendar => (calendar ??= loadDefaultCalendar());

export interface AuditSearchResult {
  rows: repo.AuditRow[];
  page: number;
  hasNext: boolean;
  /** Staff the person search matched (shown so the searcher can see who was included). */
  people: { id: string; name: string; email: string }[];
  record: { type: string; id: string } | null;
  /** A search term that could not be resolved: shown as an error on that field. */
  problem?: { field: 'person' | 'record'; message: string };
}

function scopeOf(staff: StaffPrincipal): string[] {
  return [...new Set([staff.authorityId, ...staff.teams.map((t) => t.authorityId)])];
}

export async function searchAuditLog(
  db: Db,
  staff: StaffPrincipal,
  search: AuditSearch,
  context: { requestId?: string; now: Date },
): Promise<AuditSearchResult> {
  const authorityIds = scopeOf(staff);
  const result: AuditSearchResult = { rows: [], page: search.page, hasNext: false, people: [], record: null };

  let actorIds: string[] | undefined;
  if (search.person !== '') {
    if (isUuid(search.person)) actorIds = [search.person.toLowerCase()];
    else {
      const people = await repo.staffMatching(db, search.person);
      result.people = people.map((p) => ({ id: p.id, name: p.display_name, email: p.email }));
      if (people.length === 0)
        result.problem = { field: 'person', message: 'No member of staff has that email address or name' };
      actorIds = people.map((p) => p.id);
    }
  }
  if (search.record !== '') {
    if (isUuid(search.record) && search.recordType !== '')
      result.record = { type: search.recordType, id: search.record.toLowerCase() };
    else {
      const found = await findByReference(db, search.record);
      if (found) result.record = { type: 'case', id: found.id };
      else
        result.problem ??= {
          field: 'record',
          message: 'Enter a case reference like KX7P-3RMD, or a record id with its type',
        };
    }
  }

  const from = parseDay(search.from);
  const to = parseDay(search.to);
  if (!result.problem) {
    const rows = await repo.searchAudit(db, {
      actorIds,
      record: result.record ?? undefined,
      from: from ? londonCalendar().startOfDay(from) : undefined,
      to: to ? londonCalendar().startOfDay(addCalendarDays(to, 1)) : undefined,
      action: search.action || undefined,
      authorityIds,
      limit: AUDIT_PAGE_SIZE + 1,
      offset: (search.page - 1) * AUDIT_PAGE_SIZE,
    });
    result.hasNext = rows.length > AUDIT_PAGE_SIZE;
    result.rows = rows.slice(0, AUDIT_PAGE_SIZE);
  }

  await audit(db, {
    actorType: 'staff',
    actorId: staff.id,
    authorityId: staff.authorityId,
    action: 'audit.searched',
    recordType: result.record?.type ?? null,
    recordId: result.record?.id ?? null,
    requestId: context.requestId ?? null,
    details: {
      person: search.person || undefined,
      actorIds: actorIds?.slice(0, 20),
      record: search.record || undefined,
      from: from ?? undefined,
      to: to ?? undefined,
      action: search.action || undefined,
      page: search.page,
      results: result.rows.length,
    },
    at: context.now,
  });
  return result;
}
