/**
 * Receiving by IMAP (issue 13 item 1): one `ImapPoller` per mailbox folder, built on `imapflow`.
 *
 * - **Cursor by UID and UIDVALIDITY, never dates.** Each pass fetches the messages with a UID above the
 *   cursor's, in UID order, with the server's receipt time (INTERNALDATE, never the Date header) and the whole
 *   source, and hands them to `deliver` one at a time. The cursor is saved only after `deliver` resolved, so
 *   a crash between the two delivers that message again (the caller de-duplicates on Message-ID + mailbox).
 *   If `deliver` throws, the pass stops there and the next one starts from that message.
 * - **UIDVALIDITY changed** (the mailbox was rebuilt or restored): the UIDs mean nothing any more, so the
 *   poller starts again from UID 0 under the new value and logs it; every message is delivered again.
 * - **After delivery** `'keep'` leaves the message where it is; `{ moveTo }` moves it to that folder
 *   (created when missing). Messages already delivered but not yet moved (a crash, a dropped connection)
 *   are moved at the start of the next pass.
 * - **Bounded memory**: UIDs are read in batches of `batchSize`, and a batch's sources are fetched in
 *   groups of at most `maxBatchBytes` (by the size the server reports), one message at a time if large.
 * - **The loop** (`start()`/`stop()`): a pass, then wait `pollIntervalMs` or until the server announces new
 *   mail while idling (imapflow idles on the selected folder by itself). imapflow never reconnects: when
 *   the connection drops or a pass fails, the next attempt waits an exponential backoff with jitter
 *   (`initialMs` doubling up to `maxMs`), and resets once a pass succeeds.
 *
 * No message content is logged: only the mailbox, UIDs and error messages.
 */
import { ImapFlow } from 'imapflow';

/** Where a folder has been read up to. */
export interface ImapCursor {
  uidValidity: string;
  lastUid: number;
}

/** Keeps the cursor (the caller's durable store; the integrator's is a database row per mailbox). */
export interface ImapCursorStore {
  load(): Promise<ImapCursor | null>;
  save(cursor: ImapCursor): Promise<void>;
}

/** One received message as the server holds it. */
export interface ImapMail {
  /** The message exactly as stored on the server. */
  raw: Buffer;
  /** The server's INTERNALDATE: when it received the message. */
  receivedAt: Date;
  uid: number;
  uidValidity: string;
}

/** The subset of a pino logger the poller uses. */
export interface ImapPollerLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

export interface ImapPollerOptions {
  host: string;
  port: number;
  /** true: TLS from the start (port 993). false: STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  password: string;
  /** Default 'INBOX'. */
  folder?: string;
  /** 'keep' leaves delivered mail on the server; `{ moveTo }` moves it to that folder (created if missing). */
  after: 'keep' | { moveTo: string };
  /** UIDs handled per batch. Default 200. */
  batchSize?: number;
  /** Most bytes of message source fetched at once (by the server's sizes). Default 16 MiB. */
  maxBatchBytes?: number;
  /** Wait between passes in the loop. Default 60 000. */
  pollIntervalMs?: number;
  /** Reconnect and retry delays: `initialMs` doubling up to `maxMs`, with jitter. Default 1 000 and 300 000. */
  backoff?: { initialMs: number; maxMs: number };
  logger?: ImapPollerLogger;
  cursor: ImapCursorStore;
  /**
   * Stores one message durably. Called in UID order; may be called again for a message it already took
   * (after a crash or a UIDVALIDITY change): the caller de-duplicates.
   */
  deliver(mail: ImapMail): Promise<void>;
  /** For `status().lastPollAt`. Default `() => new Date()`. */
  clock?: () => Date;
}

/** For health checks and metrics. */
export interface ImapPollerStatus {
  connected: boolean;
  /** When the last pass completed. */
  lastPollAt: Date | null;
  /** The last failure's message, cleared by a pass that succeeds. */
  lastError: string | null;
  /** Failed passes and dropped connections since the last pass that succeeded. */
  consecutiveFailures: number;
}

type Wake = 'timer' | 'mail' | 'lost' | 'stop';

const DEFAULTS = {
  folder: 'INBOX',
  batchSize: 200,
  maxBatchBytes: 16 * 1024 * 1024,
  pollIntervalMs: 60_000,
  backoff: { initialMs: 1_000, maxMs: 300_000 },
};
const LOGOUT_TIMEOUT_MS = 5_000;

/** `[1, 2, 3, 7, 9, 10]` → `'1:3,7,9:10'` (an IMAP sequence set), for sorted UIDs. */
export function uidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length;) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j += 1;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Delay before retry number `failures` (≥ 1): `initialMs · 2^(failures − 1)` capped at `maxMs`, then jittered to 50–100 %. */
export function backoffDelay(
  failures: number,
  backoff: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Polls one IMAP folder and delivers each new message once, in UID order. See the module comment.
 */
export class ImapPoller {
  private readonly options: ImapPollerOptions;
  private readonly folder: string;
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly clock: () => Date;
  private client: ImapFlow | null = null;
  /** Passes run one at a time (the loop and a direct `pollOnce()` may overlap). */
  private chain: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** A pass is running: a dropped connection then fails the pass, which counts the failure once. */
  private passing = false;
  private sleeper: ((reason: Wake) => void) | null = null;
  /** New mail announced while no one was sleeping: the next wait ends at once. */
  private pendingMail = false;
  /** Errors thrown by the caller's `deliver` or cursor store (the connection is fine). */
  private readonly callerErrors = new WeakSet<object>();
  private state: Omit<ImapPollerStatus, 'connected'> = {
    lastPollAt: null,
    lastError: null,
    consecutiveFailures: 0,
  };

  constructor(options: ImapPollerOptions) {
    this.options = options;
    this.folder = options.folder ?? DEFAULTS.folder;
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULTS.batchSize);
    this.maxBatchBytes = Math.max(1, options.maxBatchBytes ?? DEFAULTS.maxBatchBytes);
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    this.backoff = options.backoff ?? DEFAULTS.backoff;
    this.clock = options.clock ?? (() => new Date());
  }

  status(): ImapPollerStatus {
    return { connected: this.client?.usable ?? false, ...this.state };
  }

  /**
   * One pass: connects if needed, delivers every message above the cursor, and resolves with how many.
   * Rejects with the error that stopped it (the `deliver` error itself when delivery failed); the
   * messages delivered before it stay delivered and the cursor says so.
   */
  pollOnce(): Promise<{ delivered: number }> {
    const run = this.chain.then(() => this.pass());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Starts the loop (a pass, a wait, again; backoff after failures). Does nothing if already started. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /**
   * Stops the loop after the message being delivered, waits for it, and logs out (closing the connection
   * if the server does not answer). Also closes a connection `pollOnce()` left open.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake('stop');
    await this.loop;
    this.loop = null;
    await this.chain;
    this.stopping = false;
    const client = this.client;
    this.client = null;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.logout(),
        new Promise((resolve) => (timer = setTimeout(resolve, LOGOUT_TIMEOUT_MS))),
      ]);
    } catch {
      // Closed below either way.
    } finally {
      clearTimeout(timer);
      client.close();
    }
  }

  private get mailboxName() {
    return `${this.options.user}/${this.folder}`;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.pollOnce().catch(() => undefined);
      await this.pause();
    }
  }

  /**
   * Waits before the next pass: the poll interval, cut short when the server announces new mail; after a
   * failure (or a connection dropped while waiting) the backoff, in full.
   */
  private async pause(): Promise<void> {
    const delay = () =>
      this.state.consecutiveFailures > 0
        ? backoffDelay(this.state.consecutiveFailures, this.backoff)
        : this.pollIntervalMs;
    let until = Date.now() + delay();
    while (!this.stopping) {
      const reason = await this.sleep(Math.max(0, until - Date.now()));
      switch (reason) {
        case 'timer':
        case 'stop':
          return;
        case 'mail':
          if (this.state.consecutiveFailures === 0) return;
          break;
        case 'lost':
          until = Date.now() + delay();
          break;
      }
    }
  }

  private sleep(ms: number): Promise<Wake> {
    if (this.stopping) return Promise.resolve('stop');
    if (this.pendingMail) {
      this.pendingMail = false;
      return Promise.resolve('mail');
    }
    return new Promise<Wake>((resolve) => {
      const timer = setTimeout(() => finish('timer'), ms);
      const finish = (reason: Wake) => {
        clearTimeout(timer);
        this.sleeper = null;
        resolve(reason);
      };
      this.sleeper = finish;
    });
  }

  private wake(reason: Wake): void {
    if (this.sleeper) this.sleeper(reason);
    else if (reason === 'mail') this.pendingMail = true;
  }

  private failed(error: unknown): void {
    this.state.consecutiveFailures += 1;
    this.state.lastError = messageOf(error);
  }

  private async pass(): Promise<{ delivered: number }> {
    const counter = { delivered: 0 };
    this.passing = true;
    try {
      await this.deliverNew(counter);
    } catch (error) {
      this.failed(error);
      const caller = typeof error === 'object' && error !== null && this.callerErrors.has(error);
      this.options.logger?.warn(
        {
          mailbox: this.mailboxName,
          delivered: counter.delivered,
          consecutiveFailures: this.state.consecutiveFailures,
          err: messageOf(error),
        },
        caller ? 'IMAP delivery failed: will retry from this message' : 'IMAP poll failed',
      );
      // An IMAP failure may leave the session in any state: start the next pass on a new connection.
      if (!caller) this.dropConnection();
      throw error;
    } finally {
      this.passing = false;
    }
    if (this.state.consecutiveFailures > 0) {
      this.options.logger?.info({ mailbox: this.mailboxName }, 'IMAP polling recovered');
    }
    this.state = { lastPollAt: this.clock(), lastError: null, consecutiveFailures: 0 };
    return counter;
  }

  /** Runs the caller's code, remembering that an error came from there rather than from IMAP. */
  private async caller<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (typeof error === 'object' && error !== null) this.callerErrors.add(error);
      throw error;
    }
  }

  private async deliverNew(counter: { delivered: number }): Promise<void> {
    const client = await this.connection();
    const lock = await client.getMailboxLock(this.folder);
    try {
      // SELECT again even when the folder is open: a live session is not told of a new UIDVALIDITY.
      const opened = await client.mailboxOpen(this.folder);
      const uidValidity = opened.uidValidity.toString();
      let cursor = await this.caller(() => this.options.cursor.load());
      if (cursor && cursor.uidValidity !== uidValidity) {
        this.options.logger?.warn(
          { mailbox: this.mailboxName, previousUidValidity: cursor.uidValidity, uidValidity },
          'IMAP UIDVALIDITY changed: delivering the whole folder again',
        );
        cursor = { uidValidity, lastUid: 0 };
        const restart = cursor;
        await this.caller(() => this.options.cursor.save(restart));
      }
      let lastUid = cursor?.lastUid ?? 0;
      const moveTo = this.options.after === 'keep' ? null : this.options.after.moveTo;
      if (moveTo && lastUid > 0) await this.move(client, await this.uidsBetween(client, 1, lastUid), moveTo);

      const pending = await this.uidsBetween(client, lastUid + 1, null);
      for (let start = 0; start < pending.length && !this.stopping; start += this.batchSize) {
        const batch = pending.slice(start, start + this.batchSize);
        const delivered: number[] = [];
        try {
          for (const group of await this.groupsBySize(client, batch)) {
            const messages = await client.fetchAll(
              uidSet(group),
              { uid: true, internalDate: true, source: true },
              { uid: true },
            );
            messages.sort((a, b) => a.uid - b.uid);
            for (const message of messages) {
              if (this.stopping) return;
              if (client.mailbox === false || client.mailbox.uidValidity.toString() !== uidValidity) {
                throw new Error(`IMAP folder ${this.folder} changed UIDVALIDITY during the pass`);
              }
              if (message.uid <= lastUid) continue;
              if (!message.source || message.internalDate === undefined) {
                throw new Error(`IMAP server sent UID ${message.uid} without its source or INTERNALDATE`);
              }
              const receivedAt = new Date(message.internalDate);
              if (Number.isNaN(receivedAt.getTime())) {
                throw new Error(`IMAP server sent UID ${message.uid} with an unreadable INTERNALDATE`);
              }
              const mail: ImapMail = { raw: message.source, receivedAt, uid: message.uid, uidValidity };
              await this.caller(() => this.options.deliver(mail));
              lastUid = message.uid;
              const position = { uidValidity, lastUid };
              await this.caller(() => this.options.cursor.save(position));
              delivered.push(message.uid);
              counter.delivered += 1;
            }
          }
        } finally {
          // What was delivered is moved even when the batch stopped early (else the next pass moves it).
          if (moveTo && delivered.length > 0 && client.usable) {
            await this.move(client, delivered, moveTo).catch((error: unknown) =>
              this.options.logger?.warn(
                { mailbox: this.mailboxName, err: messageOf(error) },
                'IMAP move failed: will move at the next pass',
              ),
            );
          }
        }
      }
    } finally {
      lock.release();
    }
  }

  /** UIDs in the open folder from `from` to `to` (null: the newest), ascending. */
  private async uidsBetween(client: ImapFlow, from: number, to: number | null): Promise<number[]> {
    if (to !== null && to < from) return [];
    const found = await client.search({ uid: `${from}:${to ?? '*'}` }, { uid: true });
    if (!Array.isArray(found)) throw new Error(`IMAP search in ${this.folder} failed`);
    // `n:*` also matches the newest message when every UID is below n, so filter.
    return found.filter((uid) => uid >= from && (to === null || uid <= to)).sort((a, b) => a - b);
  }

  /** Splits a batch into runs whose sources add up to at most `maxBatchBytes` (a larger message alone). */
  private async groupsBySize(client: ImapFlow, uids: number[]): Promise<number[][]> {
    const sizes = new Map<number, number>();
    for (const message of await client.fetchAll(uidSet(uids), { uid: true, size: true }, { uid: true })) {
      sizes.set(message.uid, message.size ?? 0);
    }
    const groups: number[][] = [];
    let group: number[] = [];
    let bytes = 0;
    for (const uid of uids) {
      // Expunged since the search.
      if (!sizes.has(uid)) continue;
      const size = sizes.get(uid) ?? 0;
      if (group.length > 0 && bytes + size > this.maxBatchBytes) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(uid);
      bytes += size;
    }
    if (group.length > 0) groups.push(group);
    return groups;
  }

  private async move(client: ImapFlow, uids: number[], destination: string): Promise<void> {
    if (uids.length === 0) return;
    const moved = await client.messageMove(uidSet(uids), destination, { uid: true });
    if (!moved) throw new Error(`IMAP could not move ${uids.length} messages to ${destination}`);
  }

  /** The open connection, or a new one (with the `moveTo` folder created if missing). */
  private async connection(): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    this.dropConnection();
    const client = new ImapFlow({
      host: this.options.host,
      port: this.options.port,
      secure: this.options.secure,
      auth: { user: this.options.user, pass: this.options.password },
      logger: false,
      // IDLE soon after a pass, so new mail wakes the loop instead of waiting for the next poll.
      autoIdleDelay: 1_000,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
    });
    // imapflow emits 'error' before closing; without a listener it would crash the process.
    client.on('error', (error: Error) => {
      if (this.client === client) this.state.lastError = messageOf(error);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = null;
      if (client.closedByClient || this.stopping || this.passing) return;
      this.failed(this.state.lastError ?? new Error('IMAP connection closed by the server'));
      this.options.logger?.warn(
        { mailbox: this.mailboxName, consecutiveFailures: this.state.consecutiveFailures },
        'IMAP connection lost: reconnecting with backoff',
      );
      this.wake('lost');
    });
    client.on('exists', () => {
      if (this.client === client) this.wake('mail');
    });
    try {
      await client.connect();
      if (this.options.after !== 'keep') await client.mailboxCreate(this.options.after.moveTo);
    } catch (error) {
      client.close();
      throw error;
    }
    this.client = client;
    return client;
  }

  private dropConnection(): void {
    const client = this.client;
    this.client = null;
    client?.close();
  }
}
