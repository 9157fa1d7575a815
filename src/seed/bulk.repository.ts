/**
 * Fast multi-row inserts for seed data: one `insert … select * from unnest($1::uuid[], $2::text[], …)`
 * per batch, so a batch of thousands of rows is one statement with one parameter per column (no
 * 65,535-parameter limit, little parsing). The same SQL runs on PostgreSQL and PGlite.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB, NewRow } from '../platform/db/index.ts';

export type PgType = 'uuid' | 'text' | 'int4' | 'bool' | 'timestamptz' | 'date' | 'jsonb' | 'text[]';
export type ColumnSpec<T extends keyof DB> = readonly (readonly [keyof NewRow<T> & string, PgType])[];

export const COLUMNS = {
  customers: [
    ['id', 'uuid'],
    ['authority_id', 'uuid'],
    ['kind', 'text'],
    ['title', 'text'],
    ['given_name', 'text'],
    ['family_name', 'text'],
    ['organisation_name', 'text'],
    ['date_of_birth', 'date'],
    ['preferred_channel', 'text'],
    ['preferred_language', 'text'],
    ['communication_needs', 'jsonb'],
    ['search_name', 'text'],
    ['merged_into', 'uuid'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  contact_points: [
    ['id', 'uuid'],
    ['authority_id', 'uuid'],
    ['customer_id', 'uuid'],
    ['kind', 'text'],
    ['value', 'text'],
    ['normalised', 'text'],
    ['address', 'jsonb'],
    ['uprn', 'text'],
    ['is_primary', 'bool'],
    ['verified_at', 'timestamptz'],
    ['created_at', 'timestamptz'],
  ],
  vulnerabilities: [
    ['id', 'uuid'],
    ['authority_id', 'uuid'],
    ['customer_id', 'uuid'],
    ['reason', 'text'],
    ['consent_given', 'bool'],
    ['review_date', 'date'],
    ['recorded_by', 'uuid'],
    ['created_at', 'timestamptz'],
    ['ended_at', 'timestamptz'],
  ],
  customer_relationships: [
    ['id', 'uuid'],
    ['authority_id', 'uuid'],
    ['customer_id', 'uuid'],
    ['related_customer_id', 'uuid'],
    ['kind', 'text'],
    ['notes', 'text'],
    ['created_at', 'timestamptz'],
  ],
  cases: [
    ['id', 'uuid'],
    ['authority_id', 'uuid'],
    ['reference', 'text'],
    ['service_id', 'uuid'],
    ['customer_id', 'uuid'],
    ['representative_id', 'uuid'],
    ['status', 'text'],
    ['priority', 'text'],
    ['origin_channel', 'text'],
    ['team_id', 'uuid'],
    ['assignee_id', 'uuid'],
    ['received_at', 'timestamptz'],
    ['due_at', 'timestamptz'],
    ['sla_paused_at', 'timestamptz'],
    ['answers', 'jsonb'],
    ['form_version', 'int4'],
    ['location', 'jsonb'],
    ['tags', 'text[]'],
    ['outcome', 'text'],
    ['resolved_at_first_contact', 'bool'],
    ['closed_at', 'timestamptz'],
    ['created_by', 'uuid'],
    ['idempotency_key', 'text'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  case_events: [
    ['id', 'uuid'],
    ['authority_id', 'uuid'],
    ['case_id', 'uuid'],
    ['kind', 'text'],
    ['visible_to_customer', 'bool'],
    ['body', 'text'],
    ['data', 'jsonb'],
    ['actor_staff_id', 'uuid'],
    ['actor_customer_id', 'uuid'],
    ['created_at', 'timestamptz'],
  ],
  interactions: [
    ['id', 'uuid'],
    ['authority_id', 'uuid'],
    ['customer_id', 'uuid'],
    ['case_id', 'uuid'],
    ['service_id', 'uuid'],
    ['channel', 'text'],
    ['direction', 'text'],
    ['queued_at', 'timestamptz'],
    ['answered_at', 'timestamptz'],
    ['ended_at', 'timestamptz'],
    ['occurred_at', 'timestamptz'],
    ['agent_id', 'uuid'],
    ['summary', 'text'],
    ['body', 'text'],
    ['outcome', 'text'],
    ['resolved_at_first_contact', 'bool'],
    ['is_repeat', 'bool'],
    ['created_at', 'timestamptz'],
  ],
} as const satisfies { [T in keyof DB]?: ColumnSpec<T> };

export type BulkTable = keyof typeof COLUMNS;

/** A PostgreSQL array literal for a text[] column, e.g. ["a","b c"] → {"a","b c"}. */
function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function toParameter(value: unknown, type: PgType): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'jsonb':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'text[]':
      return textArrayLiteral(value as string[]);
    case 'timestamptz':
      return value instanceof Date ? value.toISOString() : value;
    case 'uuid':
    case 'text':
    case 'int4':
    case 'bool':
    case 'date':
      return value;
  }
}

function statement<T extends BulkTable>(
  table: T,
  rows: readonly NewRow<T>[],
  suffix: RawBuilder<unknown>,
): RawBuilder<unknown> {
  // Columns no row sets are left out, so the table's defaults apply (unnest cannot say DEFAULT per row).
  const columns = (COLUMNS[table] as readonly (readonly [string, PgType])[]).filter(([name]) =>
    rows.some((row) => (row as Record<string, unknown>)[name] !== undefined),
  );
  const names = columns.map(([name]) => sql.ref(name));
  const parameters = columns.map(([name, type]) => {
    const values = rows.map((row) => toParameter((row as Record<string, unknown>)[name], type));
    // jsonb and text[] travel as text and are cast per row: arrays of arrays cannot be unnested.
    const arrayType = type === 'jsonb' || type === 'text[]' ? 'text' : type;
    return sql`${values}::${sql.raw(arrayType)}[]`;
  });
  const selected = columns.map(([name, type]) =>
    type === 'jsonb' || type === 'text[]'
      ? sql`${sql.ref(`t.${name}`)}::${sql.raw(type)}`
      : sql.ref(`t.${name}`),
  );
  return sql`insert into ${sql.table(table)} (${sql.join(names)}) select ${sql.join(selected)} from unnest(${sql.join(parameters)}) as t(${sql.join(names)}) ${suffix}`;
}

/** Inserts `rows` in batches of at most `batchSize` rows per statement. */
export async function insertRows<T extends BulkTable>(
  db: Kysely<DB>,
  table: T,
  rows: readonly NewRow<T>[],
  batchSize = 1000,
): Promise<void> {
  for (let start = 0; start < rows.length; start += batchSize) {
    await statement(table, rows.slice(start, start + batchSize), sql``).execute(db);
  }
}

/**
 * Inserts cases, skipping any whose reference is already taken (a demo reference can only clash with a
 * case made another way), and returns the ids that went in.
 */
export async function insertCasesSkippingTaken(
  db: Kysely<DB>,
  rows: readonly NewRow<'cases'>[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await statement('cases', rows, sql`on conflict (reference) do nothing returning id`).execute(
    db,
  );
  return new Set((result.rows as { id: string }[]).map((r) => r.id));
}
