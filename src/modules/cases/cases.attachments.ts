/**
 * Uploaded files (forms engine questions, residents' replies): parsed from multipart posts, checked by
 * their content (magic bytes) as well as their name, size-limited, stored outside the web root under
 * DATA_DIR/uploads with a random name, and recorded in `attachments`. They are only ever served with
 * `Content-Disposition: attachment` to staff or to the browser/resident that owns them.
 *
 * `registerUploadParsing` is scoped: call it inside an encapsulated plugin holding only the routes that
 * take files. It parses every part itself (fields → `request.body`, so the web platform's CSRF check
 * finds `_csrf` as usual; files → `request.uploads`), streams files to a temp file while counting and
 * hashing, and when the handler has finished moves the files whose `attachments` row is committed to their
 * final name and deletes the rest (see cases.upload-storage.ts for the order and the orphan sweep).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { createHash, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Db, Tx } from '../../platform/db/index.ts';
import { insertAttachment } from './cases.repository.ts';
import {
  newStorageKey,
  prepareUploadDir,
  settleUploads,
  tempFilePath,
  writeTempFile,
} from './cases.upload-storage.ts';
import { ValidationError } from '../../platform/http/errors.ts';

/** The most any one file may be (a question may set less). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const DEFAULT_FILE_TYPES = ['.pdf', '.jpg', '.jpeg', '.png'] as const;

export interface ReceivedFile {
  field: string;
  /** The name the resident's computer gave it (shown back to them; never used as a path). */
  filename: string;
  storageKey: string;
  /** Where it is while the request runs: a temp file (DATA_DIR/uploads/tmp/<storageKey>.part). */
  path: string;
  sizeBytes: number;
  sha256: string;
  /** The first bytes, for content sniffing. */
  head: Buffer;
  /** Larger than MAX_UPLOAD_BYTES: the rest was not stored. */
  truncated: boolean;
  /**
   * Set by `keepUpload` when an attachment row was written. After the handler the file moves to its final
   * name if that row is committed; otherwise (not kept, or the transaction rolled back) it is deleted.
   */
  kept: boolean;
  /** Set once the file has been moved to its final name or deleted. */
  settled?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    uploads: ReceivedFile[];
  }
}

export interface UploadOptions {
  /** Read after each request for the committed rows of the files it kept (never a transaction). */
  db: Db;
  /** Folder for stored files (DATA_DIR/uploads, temp files in its tmp/). Created if missing. */
  uploadDir: string;
  maxFileBytes?: number;
  /** File parts per request. */
  maxFiles?: number;
}

class Sniffer extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  head = Buffer.alloc(0);
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.head.length < 16)
      this.head = Buffer.concat([this.head, chunk.subarray(0, 16 - this.head.length)]);
    done(null, chunk);
  }
}

/** Registers multipart parsing for the routes of the (encapsulated) instance `app`. */
export async function registerUploadParsing(app: FastifyInstance, options: UploadOptions): Promise<void> {
  const maxFileBytes = options.maxFileBytes ?? MAX_UPLOAD_BYTES;
  prepareUploadDir(options.uploadDir);
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: {
      fileSize: maxFileBytes,
      files: options.maxFiles ?? 10,
      fields: 200,
      fieldSize: 100_000,
      parts: 220,
    },
  });
  app.decorateRequest('uploads', null as never);

  app.addHook('preValidation', async (request: FastifyRequest) => {
    request.uploads = [];
    if (!request.isMultipart()) return;
    const fields: Record<string, string | string[]> = {};
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : String(part.value);
        const existing = fields[part.fieldname];
        fields[part.fieldname] =
          existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
        continue;
      }
      const filename = (part.filename ?? '').trim();
      if (filename === '') {
        // An empty file input still sends a part: drain it.
        part.file.resume();
        await new Promise<void>((resolve) => part.file.once('end', resolve));
        continue;
      }
      const storageKey = newStorageKey();
      const path = tempFilePath(options.uploadDir, storageKey);
      const sniffer = new Sniffer();
      const received: ReceivedFile = {
        field: part.fieldname,
        filename: filename.slice(0, 200),
        storageKey,
        path,
        sizeBytes: 0,
        sha256: '',
        head: Buffer.alloc(0),
        truncated: false,
        kept: false,
      };
      request.uploads.push(received);
      await writeTempFile(part.file, sniffer, path);
      received.sizeBytes = sniffer.size;
      received.sha256 = sniffer.hash.digest('hex');
      received.head = sniffer.head;
      received.truncated = part.file.truncated;
    }
    request.body = fields;
  });

  // The handler has finished (its transaction committed or rolled back) before the reply is sent: kept
  // files move to their final name before the browser can follow a redirect to a page that links them.
  // onResponse catches anything onSend did not get to (the sweep catches what a crash leaves).
  const settle = async (request: FastifyRequest) => {
    if (!request.uploads?.length) return;
    await settleUploads(options.db, options.uploadDir, request.uploads).catch((error: unknown) =>
      request.log.error({ err: error }, 'uploaded files could not be moved or deleted'),
    );
  };
  app.addHook('onSend', async (request, _reply, payload) => {
    await settle(request);
    return payload;
  });
  app.addHook('onResponse', settle);

  // A malformed multipart body is the sender's mistake, not a server error: 400. Anything else goes on to
  // the app's error handler unchanged (a handler that throws passes its error to the parent's).
  app.setErrorHandler(async (error) => {
    throw isMalformedMultipart(error) ? new ValidationError([{ field: 'form', message: MALFORMED }]) : error;
  });
}

const MALFORMED = 'The form could not be read. Go back, check your answers and send it again';

/**
 * Errors busboy and @fastify/multipart raise for a body that is not well-formed multipart: no boundary
 * ('Multipart: Boundary not found', 'Boundary required'), cut short ('Unexpected end of form', '… of
 * multipart data', 'Part terminated early …'), or bad headers. They carry no status code (so would be 500).
 */
export function isMalformedMultipart(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as { code?: string }).code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return true;
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && status < 500) return false;
  return /^(Multipart: |Boundary required|Unexpected end of (form|multipart data)|Malformed part header|.* terminated early due to unexpected end of multipart data)/.test(
    error.message,
  );
}

export type UploadProblem = 'empty' | 'too_large' | 'wrong_type';

const SIGNATURES: { type: string; extensions: string[]; test: (head: Buffer) => boolean }[] = [
  {
    type: 'application/pdf',
    extensions: ['.pdf'],
    test: (h) => h.subarray(0, 5).toString('latin1') === '%PDF-',
  },
  {
    type: 'image/jpeg',
    extensions: ['.jpg', '.jpeg'],
    test: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  },
  {
    type: 'image/png',
    extensions: ['.png'],
    test: (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
];

/**
 * Checks a received file against allowed extensions and a size limit. The type comes from the file's
 * content; the name's extension must be one the content allows (a PNG renamed .pdf is refused).
 */
export function checkUpload(
  file: ReceivedFile,
  rules: { fileTypes?: readonly string[]; maxBytes?: number } = {},
): { ok: true; contentType: string } | { ok: false; problem: UploadProblem } {
  const maxBytes = Math.min(rules.maxBytes ?? MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES);
  if (file.truncated || file.sizeBytes > maxBytes) return { ok: false, problem: 'too_large' };
  if (file.sizeBytes === 0) return { ok: false, problem: 'empty' };
  const allowed = (rules.fileTypes ?? DEFAULT_FILE_TYPES).map((t) => t.toLowerCase());
  const extension = /\.[a-z0-9]+$/i.exec(file.filename)?.[0].toLowerCase() ?? '';
  const signature = SIGNATURES.find((s) => s.test(file.head));
  if (!signature || !allowed.includes(extension) || !signature.extensions.includes(extension))
    return { ok: false, problem: 'wrong_type' };
  return { ok: true, contentType: signature.type };
}

/**
 * Records a checked file as an attachment (in the caller's transaction, if any) and marks it kept. The
 * file moves from its temp name to its final one after the handler, once the row is committed; if the
 * transaction rolls back, the file is deleted.
 */
export async function keepUpload(
  db: Db | Tx,
  file: ReceivedFile,
  record: {
    authorityId: string;
    contentType: string;
    draftId?: string | null;
    caseId?: string | null;
    questionId?: string | null;
    customerId?: string | null;
    staffId?: string | null;
  },
): Promise<{ id: string; filename: string; sizeBytes: number; contentType: string }> {
  const id = await insertAttachment(db, {
    authority_id: record.authorityId,
    draft_id: record.draftId ?? null,
    case_id: record.caseId ?? null,
    question_id: record.questionId ?? null,
    filename: file.filename,
    content_type: record.contentType,
    size_bytes: file.sizeBytes,
    sha256: file.sha256,
    storage_key: file.storageKey,
    uploaded_by_customer_id: record.customerId ?? null,
    uploaded_by_staff_id: record.staffId ?? null,
  });
  file.kept = true;
  return { id, filename: file.filename, sizeBytes: file.sizeBytes, contentType: record.contentType };
}

/** A name safe for a Content-Disposition header (ASCII fallback plus RFC 5987 UTF-8 form). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_') || 'download';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Who is asking for a form draft: a resident's browser (its binding secret) or a member of staff. */
export type DraftAccess =
  { kind: 'resident'; bindingSecret: string | undefined } | { kind: 'staff'; staffId: string };

/**
 * The forms engine's ownership rule for a draft, and so for the files uploaded to it before a case exists:
 * an assisted-digital draft belongs to the member of staff who started it; a resident's draft to the
 * browser holding the binding secret. Lives here (the forms module imports cases, not the reverse) so the
 * drafts and the attachment downloads share one copy.
 */
export function ownsDraft(
  draft: { staffUserId: string | null; bindingHash: string },
  access: DraftAccess,
): boolean {
  if (access.kind === 'staff') return draft.staffUserId === access.staffId;
  return (
    draft.staffUserId === null &&
    access.bindingSecret !== undefined &&
    bindingHash(access.bindingSecret) === draft.bindingHash
  );
}

/** The browser-binding cookie: a random secret; drafts store its SHA-256 (see forms/README.md). */
export const BROWSER_BINDING_COOKIE = 'fd_form';
export function bindingHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
export function newBindingSecret(): string {
  return randomBytes(32).toString('base64url');
}
