/**
 * Builders for uploaded files: a form draft (a resident's, bound to a browser secret, or a member of
 * staff's assisted-digital draft) and an attachment row with its file written where downloads read it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../src/platform/db/index.ts';
import { bindingHash, newBindingSecret } from '../../src/modules/cases/index.ts';

/** A small valid PNG header and some bytes. */
export const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200, 1),
]);

export async function buildDraft(
  db: Db,
  o: { authorityId: string; serviceId: string; staffUserId?: string | null; customerId?: string | null },
): Promise<{ id: string; bindingSecret: string }> {
  const bindingSecret = newBindingSecret();
  const { id } = await db
    .insertInto('form_drafts')
    .values({
      id: randomUUID(),
      authority_id: o.authorityId,
      service_id: o.serviceId,
      form_version: 1,
      answers: JSON.stringify({}),
      token: randomBytes(16).toString('hex'),
      binding_hash: bindingHash(bindingSecret),
      customer_id: o.customerId ?? null,
      staff_user_id: o.staffUserId ?? null,
      expires_at: new Date('2099-01-01T00:00:00Z'),
      submitted_case_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, bindingSecret };
}

/** An attachment row and its stored file (DATA_DIR/uploads/<storage key>) unless `writeFile` is false. */
export async function buildAttachment(
  db: Db,
  o: {
    authorityId: string;
    uploadDir: string;
    caseId?: string | null;
    draftId?: string | null;
    storageKey?: string;
    writeFile?: boolean;
  },
): Promise<{ id: string; storageKey: string; filename: string }> {
  const storageKey = o.storageKey ?? randomBytes(24).toString('base64url');
  const filename = `evidence-${storageKey.slice(0, 6)}.png`;
  if (o.writeFile !== false) {
    mkdirSync(o.uploadDir, { recursive: true });
    writeFileSync(join(o.uploadDir, storageKey), PNG);
  }
  const { id } = await db
    .insertInto('attachments')
    .values({
      authority_id: o.authorityId,
      draft_id: o.draftId ?? null,
      case_id: o.caseId ?? null,
      case_event_id: null,
      question_id: null,
      filename,
      content_type: 'image/png',
      size_bytes: PNG.length,
      sha256: '0'.repeat(64),
      storage_key: storageKey,
      uploaded_by_customer_id: null,
      uploaded_by_staff_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, storageKey, filename };
}
