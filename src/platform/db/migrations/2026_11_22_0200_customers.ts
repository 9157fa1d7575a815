/**
 * Customers module (issue 4). Frozen: never edit after it has landed; add a new migration instead.
 * - Records merged into a customer are listed on its page and unmerged from there: index `merged_into`
 *   (partial: almost every row is null).
 * - Relationships are shown in both directions: index `related_customer_id` as well as `customer_id`.
 * - The repeat-contact rule looks up the latest contact by customer and service.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index customers_merged_into_idx on customers (merged_into) where merged_into is not null`.execute(
    db,
  );
  await sql`create index customer_relationships_related_idx on customer_relationships (related_customer_id)`.execute(
    db,
  );
  await sql`create index interactions_customer_service_idx on interactions (customer_id, service_id, occurred_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists interactions_customer_service_idx`.execute(db);
  await sql`drop index if exists customer_relationships_related_idx`.execute(db);
  await sql`drop index if exists customers_merged_into_idx`.execute(db);
}
