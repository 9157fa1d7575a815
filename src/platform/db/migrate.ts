/**
 * Migrations: listed statically (so they work under tsx and in a bundle), applied in name order,
 * identical on both engines. `migrationStatus` backs /health/ready.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { withoutStatementTimeout } from './database.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and typed as Kysely<any> (STANDARDS habit 5)
type AnyDb = Kysely<any>;
import * as core from './migrations/2026_11_22_0001_core.ts';
import * as customers from './migrations/2026_11_22_0200_customers.ts';
import * as casesForms from './migrations/2026_11_22_0300_cases_forms.ts';
import * as notificationsResidents from './migrations/2026_11_22_0400_notifications_residents.ts';
import * as complaintsFoiFeedback from './migrations/2026_11_22_0500_complaints_foi_feedback.ts';
import * as caseWorkspace from './migrations/2026_11_22_0600_case_workspace.ts';
import * as staffLockout from './migrations/2026_12_03_0100_staff_lockout_password_links.ts';
import * as auditRecordAuthority from './migrations/2026_12_03_0200_audit_record_authority.ts';
import * as outboxPriority from './migrations/2026_12_03_0300_outbox_priority.ts';
import * as authorityContactDetails from './migrations/2026_12_07_0100_authority_contact_details.ts';
import * as feedbackGuests from './migrations/2026_12_07_0400_feedback_guests.ts';
import * as pendingStaffAnswers from './migrations/2026_12_07_0500_pending_staff_answers.ts';
import * as emailChannel from './migrations/2026_12_07_0600_email_channel.ts';
import * as phoneChannel from './migrations/2026_12_07_0700_phone_channel.ts';
import * as knowledgeBase from './migrations/2026_12_07_0800_knowledge_base.ts';
import * as webchat from './migrations/2026_12_07_0900_webchat.ts';
import * as textsBothWays from './migrations/2026_12_07_0930_texts_both_ways.ts';

export const migrations: Record<string, Migration> = {
  '2026_11_22_0001_core': core,
  '2026_11_22_0200_customers': customers,
  '2026_11_22_0300_cases_forms': casesForms,
  '2026_11_22_0400_notifications_residents': notificationsResidents,
  '2026_11_22_0500_complaints_foi_feedback': complaintsFoiFeedback,
  '2026_11_22_0600_case_workspace': caseWorkspace,
  '2026_12_03_0100_staff_lockout_password_links': staffLockout,
  '2026_12_03_0200_audit_record_authority': auditRecordAuthority,
  '2026_12_03_0300_outbox_priority': outboxPriority,
  '2026_12_07_0100_authority_contact_details': authorityContactDetails,
  '2026_12_07_0400_feedback_guests': feedbackGuests,
  '2026_12_07_0500_pending_staff_answers': pendingStaffAnswers,
  '2026_12_07_0600_email_channel': emailChannel,
  '2026_12_07_0700_phone_channel': phoneChannel,
  '2026_12_07_0800_knowledge_base': knowledgeBase,
  '2026_12_07_0900_webchat': webchat,
  '2026_12_07_0930_texts_both_ways': textsBothWays,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

function migrator(db: AnyDb): Migrator {
  return new Migrator({
    db,
    provider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

/**
 * Apply every pending migration. They run on one connection with `statement_timeout` switched off: a
 * migration may rewrite a big table, and the pool's statement timeout (DATABASE_STATEMENT_TIMEOUT_MS) is
 * meant for requests, not for schema changes.
 */
export async function migrateToLatest(db: AnyDb): Promise<string[]> {
  const { error, results } = await withoutStatementTimeout(db, (connection) =>
    migrator(connection).migrateToLatest(),
  );
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(db: AnyDb): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
