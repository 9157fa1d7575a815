/** Audit rows → table rows for the search page (escaped here; the template only places them). */
import { formatDate } from '../../platform/views/index.ts';
import type { AuditRow } from './audit.repository.ts';
import { RECORD_TYPES } from './audit.schemas.ts';

const ACTOR_TYPES: Record<string, string> = {
  staff: 'Staff',
  customer: 'Customer',
  system: 'System',
  api: 'API client',
  anonymous: 'Anonymous',
};

const RECORD_LINKS: Record<string, (id: string) => string> = {
  case: (id) => `/staff/cases/${id}`,
  customer: (id) => `/staff/customers/${id}`,
};

type Cell = { text?: string; html?: string };

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function who(row: AuditRow): Cell {
  const kind = ACTOR_TYPES[row.actor_type] ?? row.actor_type;
  if (row.staff_name) return { text: `${row.staff_name} (${kind.toLowerCase()})` };
  if (row.actor_type === 'customer' && row.actor_id)
    return { html: `<a class="govuk-link" href="/staff/customers/${escapeHtml(row.actor_id)}">Customer</a>` };
  return { text: row.actor_id ? `${kind} ${row.actor_id}` : kind };
}

function record(row: AuditRow): Cell {
  if (!row.record_type) return { text: '' };
  const label = RECORD_TYPES[row.record_type] ?? row.record_type.replace(/_/g, ' ');
  const id = row.record_id ?? '';
  const link = RECORD_LINKS[row.record_type];
  if (link && id)
    return {
      html: `${escapeHtml(label)} <a class="govuk-link" href="${escapeHtml(link(id))}">${escapeHtml(id)}</a>`,
    };
  return { text: `${label} ${id}`.trim() };
}

export function auditTableRows(rows: readonly AuditRow[]): Cell[][] {
  return rows.map((r) => [
    { text: formatDate(r.at, 'datetime') },
    who(r),
    { text: r.action },
    record(r),
    { text: r.outcome === 'ok' ? 'OK' : r.outcome },
    { text: r.reason ?? '' },
  ]);
}
