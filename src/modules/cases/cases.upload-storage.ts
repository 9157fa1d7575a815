/**
 * Where uploaded files live on disk, and how they get there without leaving orphans.
 *
 * A file part is streamed to `DATA_DIR/uploads/tmp/<storageKey>.part`. It moves to its final name,
 * `DATA_DIR/uploads/<storageKey>` (what downloads read), only once its `attachments` row is committed:
 * when the handler has finished, the upload plugin looks the request's recorded storage keys up outside any
 * transaction (`settleUploads`), renames the files whose row exists and deletes every other temp file. A
 * part cut off mid-stream is deleted as soon as its stream fails (`writeTempFile`). The scheduled sweep
 * (`sweepUploads`) is the safety net for whatever a crash leaves behind.
 *
 * Why "insert, commit, then rename" rather than "rename, then insert": the row is the truth, so the crash
 * windows are all recoverable without guessing.
 * - Crash while the file arrives, or before its row commits (or the transaction rolls back): only a temp
 *   file exists and nothing refers to it. The sweep deletes temp files older than an hour that have no row.
 * - Crash after the row commits but before the rename: the row exists and the file is still a temp file.
 *   The sweep finishes the move (it never deletes a temp file whose row exists), so a committed attachment
 *   is never lost. Downloads of it are a 404 until then.
 * - A final file whose row has gone (a draft purge stopped between deleting rows and files, or rows
 *   removed by hand): the sweep deletes final files older than an hour that have no row.
 * With "rename, then insert" a rollback would leave final-named files with no row, and a file renamed a
 * moment ago could only be told from an orphan by its age.
 * Files are only ever created in `tmp/`, so a final file with no row is never one still being written. A
 * temp file is skipped until it is an hour old (by modification time, which every write refreshes).
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../platform/db/index.ts';
import { existingStorageKeys } from './cases.repository.ts';

/** Sub-folder of the upload folder for files still arriving or whose row is not committed yet. */
export const UPLOAD_TEMP_DIR = 'tmp';
/** How old a temp file, or a final file with no row, must be before the sweep removes it. */
export const UPLOAD_SWEEP_AGE_MS = 60 * 60 * 1000;

const STORAGE_KEY = /^[A-Za-z0-9_-]{32}$/;
const TEMP_SUFFIX = '.part';

/** A random storage key: 24 bytes, base64url (32 characters); never derived from the resident's file name. */
export function newStorageKey(): string {
  return randomBytes(24).toString('base64url');
}

export function storedFilePath(uploadDir: string, storageKey: string): string {
  return join(uploadDir, storageKey);
}

export function tempFilePath(uploadDir: string, storageKey: string): string {
  return join(uploadDir, UPLOAD_TEMP_DIR, `${storageKey}${TEMP_SUFFIX}`);
}

/** Creates the upload folder and its temp folder if missing (private to the app's user). */
export function prepareUploadDir(uploadDir: string): void {
  mkdirSync(join(uploadDir, UPLOAD_TEMP_DIR), { recursive: true, mode: 0o700 });
}

/**
 * Streams `source` through `through` into a new temp file at `path`. If the stream fails (the client went
 * away mid-upload, a malformed body), the partial file is deleted before the error is passed on.
 */
export async function writeTempFile(source: Readable, through: Transform, path: string): Promise<void> {
  try {
    await pipeline(source, through, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

/** What `settleUploads` needs of a received file (`ReceivedFile` in cases.attachments.ts). */
export interface PendingUpload {
  storageKey: string;
  /** Set by `keepUpload` when an `attachments` row was written for it (maybe in a transaction). */
  kept: boolean;
  /** Set here once the file has been moved or deleted. */
  settled?: boolean;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Moves a temp file to its final name; a move the sweep already finished counts as done. */
async function moveToFinal(uploadDir: string, storageKey: string): Promise<void> {
  try {
    await rename(tempFilePath(uploadDir, storageKey), storedFilePath(uploadDir, storageKey));
  } catch (error) {
    if (!isMissing(error) || !(await exists(storedFilePath(uploadDir, storageKey)))) throw error;
  }
}

/**
 * After the handler has finished (its transaction committed or rolled back): moves each kept file whose
 * row is now committed to its final name and deletes every other temp file of the request. Idempotent.
 * Must not run inside a transaction: it reads committed rows through `db`.
 */
export async function settleUploads(db: Db, uploadDir: string, files: PendingUpload[]): Promise<void> {
  const pending = files.filter((f) => !f.settled);
  if (pending.length === 0) return;
  const kept = pending.filter((f) => f.kept).map((f) => f.storageKey);
  const committed = kept.length > 0 ? await existingStorageKeys(db, kept) : new Set<string>();
  const failures: unknown[] = [];
  for (const file of pending) {
    try {
      if (committed.has(file.storageKey)) await moveToFinal(uploadDir, file.storageKey);
      else await unlink(tempFilePath(uploadDir, file.storageKey)).catch(() => undefined);
      file.settled = true;
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

export interface UploadSweepResult {
  /** Temp files and final files with no row that were deleted. */
  deleted: number;
  /** Temp files whose row was committed (a crash before the move) that were moved to their final name. */
  moved: number;
}

async function staleFiles(dir: string, cutoffMs: number): Promise<string[]> {
  const names = await readdir(dir).catch((error: unknown) => {
    if (isMissing(error)) return [] as string[];
    throw error;
  });
  const stale: string[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info?.isFile() && info.mtimeMs < cutoffMs) stale.push(name);
  }
  return stale;
}

/**
 * The orphan sweep (job `maintenance.sweep_uploads`): temp files older than `maxAgeMs` are moved to their
 * final name if their row exists, deleted otherwise; files in the upload folder named like a storage key,
 * older than `maxAgeMs` and with no `attachments` row are deleted. Never deletes a file whose row exists.
 * Idempotent; safe with several workers (a file another worker handled first is skipped).
 */
export async function sweepUploads(
  db: Db,
  uploadDir: string,
  now: Date,
  maxAgeMs: number = UPLOAD_SWEEP_AGE_MS,
): Promise<UploadSweepResult> {
  const cutoff = now.getTime() - maxAgeMs;
  const result: UploadSweepResult = { deleted: 0, moved: 0 };

  const tempDir = join(uploadDir, UPLOAD_TEMP_DIR);
  const temps = await staleFiles(tempDir, cutoff);
  const keyOf = (name: string) => {
    const key = name.endsWith(TEMP_SUFFIX) ? name.slice(0, -TEMP_SUFFIX.length) : '';
    return STORAGE_KEY.test(key) ? key : null;
  };
  const tempKeys = temps.map(keyOf).filter((k): k is string => k !== null);
  const committed = tempKeys.length > 0 ? await existingStorageKeys(db, tempKeys) : new Set<string>();
  for (const name of temps) {
    const key = keyOf(name);
    if (key && committed.has(key)) {
      await moveToFinal(uploadDir, key).then(
        () => (result.moved += 1),
        () => undefined,
      );
    } else {
      await unlink(join(tempDir, name)).then(
        () => (result.deleted += 1),
        () => undefined,
      );
    }
  }

  const finals = (await staleFiles(uploadDir, cutoff)).filter((name) => STORAGE_KEY.test(name));
  const recorded = finals.length > 0 ? await existingStorageKeys(db, finals) : new Set<string>();
  for (const name of finals) {
    if (recorded.has(name)) continue;
    await unlink(join(uploadDir, name)).then(
      () => (result.deleted += 1),
      () => undefined,
    );
  }
  return result;
}
