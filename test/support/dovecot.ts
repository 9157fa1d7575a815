/**
 * A private dovecot for tests: Debian's `dovecot-imapd` started from its own temporary directory with its own
 * dovecot.conf (IMAP only on 127.0.0.1 and a free port, no TLS, a passwd-file of users with plain passwords,
 * Maildir under the temporary directory, `base_dir` and `state_dir` there too), so it never touches a system
 * dovecot. Messages go in with `doveadm save` (one) or `doveadm import` (a backlog: one process for
 * thousands), `doveadm kick` drops a user's connections and `doveadm mailbox update --uid-validity` gives a
 * mailbox a new UIDVALIDITY. (Debian's LMTP server is a separate package, dovecot-lmtpd, which CI does not
 * install, so the bulk path is `doveadm import` of a Maildir written here.) Started as root (CI), mail is owned
 * by the `dovecot` user; started as another user, by that user.
 *
 * `dovecotMissing()` returns a skip reason outside CI and throws in CI, so IMAP tests never skip silently.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const DOVECOT_PATH = '/usr/sbin/dovecot';
export const DOVEADM_PATH = '/usr/bin/doveadm';

/** Returns a skip reason (locally) or throws (in CI) when dovecot or doveadm is not installed. */
export function dovecotMissing(): string | false {
  if (existsSync(DOVECOT_PATH) && existsSync(DOVEADM_PATH)) return false;
  const message = `dovecot is not installed (${DOVECOT_PATH}, ${DOVEADM_PATH}): the IMAP tests cannot run. Install it with: apt-get install -y dovecot-imapd`;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(
    `\n${'!'.repeat(100)}\n!! ${message}\n!! IMAP TESTS SKIPPED — this run does NOT prove that mail is received.\n${'!'.repeat(100)}\n\n`,
  );
  return message;
}

export interface Dovecot {
  host: '127.0.0.1';
  port: number;
  /** Every user's password. */
  password: string;
  /** Saves one message into the user's INBOX (or `mailbox`) with `doveadm save`; INTERNALDATE is now. */
  inject(user: string, raw: Buffer | string, mailbox?: string): Promise<void>;
  /**
   * Saves many messages into the user's INBOX in one `doveadm import` (UIDs in the order given), for
   * backlogs. INTERNALDATE is `receivedAt`, else when the file was written (now).
   */
  injectMany(user: string, raws: (Buffer | string)[], receivedAt?: Date): Promise<void>;
  /** Drops every connection the user has (`doveadm kick`); resolves with whether any was dropped. */
  kick(user: string): Promise<boolean>;
  /** Gives the mailbox a new UIDVALIDITY (the messages stay); resolves with the new value. */
  resetUidValidity(user: string, mailbox?: string): Promise<string>;
  /** Messages, UIDVALIDITY and next UID of a mailbox, as dovecot reports them. */
  mailboxStatus(
    user: string,
    mailbox?: string,
  ): Promise<{ messages: number; uidValidity: string; uidNext: number }>;
  /** The dovecot log so far (for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

const id = (flag: '-u' | '-g' | '-gn', name: string) =>
  new Promise<string>((resolve, reject) =>
    execFile('id', [flag, name], (error, stdout) => {
      if (error) reject(new Error(`id ${flag} ${name} failed: ${error.message}`));
      else resolve(stdout.trim());
    }),
  );

/** Resolves when the IMAP greeting arrives (dovecot is ready), rejects after `timeoutMs`. */
async function greeting(port: number, timeoutMs: number, exited: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(1_000);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('* OK'));
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    const exit = exited();
    if (exit) throw new Error(`dovecot exited before it was ready: ${exit}`);
    if (Date.now() > deadline) throw new Error(`dovecot did not answer on port ${port} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts dovecot for `users` (all with one random password). Call `stop()` in `after`.
 */
export async function startDovecot(users: string[]): Promise<Dovecot> {
  const root = await mkdtemp(join(tmpdir(), 'frontdoor-dovecot-'));
  // dovecot's auth and mail processes run as other users: they must reach the users file and the homes.
  await chmod(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  const mailUser = asRoot ? 'dovecot' : userInfo().username;
  const uid = Number(await id('-u', mailUser));
  const gid = Number(await id('-g', mailUser));
  const mailGroup = await id('-gn', mailUser);
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const conf = join(root, 'dovecot.conf');
  const home = join(root, 'home');
  const logPath = join(root, 'dovecot.log');
  await mkdir(join(root, 'run'));
  await mkdir(join(root, 'state'));
  await mkdir(home);
  await mkdir(join(root, 'import'));
  await chown(home, uid, gid);
  await chown(join(root, 'import'), uid, gid);
  await writeFile(join(root, 'users'), users.map((u) => `${u}:{PLAIN}${password}\n`).join(''));
  const loginUser = asRoot ? 'dovenull' : mailUser;
  await writeFile(
    conf,
    `# Written by test/support/dovecot.ts for one test run.
protocols = imap
listen = 127.0.0.1
base_dir = ${root}/run
state_dir = ${root}/state
instance_name = frontdoor-test-${port}
log_path = ${logPath}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_fsync = never
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = ${mailUser}
default_internal_group = ${mailGroup}
default_login_user = ${loginUser}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${root}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${home}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
${asRoot ? '' : '  chroot =\n'}}
${asRoot ? '' : 'service anvil {\n  chroot =\n}\n'}`,
  );

  let exit: string | null = null;
  const master: ChildProcess = spawn(DOVECOT_PATH, ['-F', '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  master.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Never leave a dovecot behind when the test process ends without calling stop().
  const killOnExit = () => master.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    master.once('exit', (code, signal) => {
      exit = `code ${code ?? '-'} signal ${signal ?? '-'} ${stderr.trim()}`;
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const log = () => readFile(logPath, 'utf8').catch(() => '');
  try {
    await greeting(port, 10_000, () => exit);
  } catch (error) {
    master.kill('SIGTERM');
    const text = await log();
    await rm(root, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${text}`);
  }

  const doveadm = (args: string[], input?: Buffer | string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(DOVEADM_PATH, ['-c', conf, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: err }));
      child.stdin.end(input ?? '');
    });
  const must = async (args: string[], input?: Buffer | string) => {
    const result = await doveadm(args, input);
    if (result.code !== 0) {
      throw new Error(`doveadm ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
    }
    return result.stdout;
  };
  let imports = 0;

  const dovecot: Dovecot = {
    host: '127.0.0.1',
    port,
    password,
    async inject(user, raw, mailbox = 'INBOX') {
      await must(['save', '-u', user, '-m', mailbox], raw);
    },
    async injectMany(user, raws, receivedAt) {
      // A Maildir of its own (readable by the mail user), imported in one doveadm process. Its file names
      // sort in the order given, which is the order doveadm assigns the new UIDs.
      imports += 1;
      const source = join(root, 'import', String(imports));
      for (const dir of ['cur', 'new', 'tmp']) {
        await mkdir(join(source, dir), { recursive: true });
        await chown(join(source, dir), uid, gid);
      }
      await chown(source, uid, gid);
      const files = raws.map((raw, i) => ({
        path: join(source, 'cur', `${String(i).padStart(8, '0')}.frontdoor-test:2,`),
        raw,
      }));
      for (let i = 0; i < files.length; i += 100) {
        await Promise.all(
          files.slice(i, i + 100).map(async ({ path, raw }) => {
            await writeFile(path, raw);
            if (receivedAt) await utimes(path, receivedAt, receivedAt);
          }),
        );
      }
      await must(['import', '-u', user, `maildir:${source}`, '', 'mailbox', 'INBOX']);
      await rm(source, { recursive: true, force: true });
    },
    async kick(user) {
      const result = await doveadm(['kick', user]);
      // 68 (EX_NOUSER): nobody was connected.
      if (result.code === 68) return false;
      if (result.code !== 0)
        throw new Error(`doveadm kick ${user} failed (${result.code}): ${result.stderr}`);
      return true;
    },
    async resetUidValidity(user, mailbox = 'INBOX') {
      const { uidValidity } = await dovecot.mailboxStatus(user, mailbox);
      const next = String((Number(uidValidity) % 4_000_000_000) + 1);
      await must(['mailbox', 'update', '-u', user, '--uid-validity', next, mailbox]);
      return next;
    },
    async mailboxStatus(user, mailbox = 'INBOX') {
      const out = await must([
        '-f',
        'flow',
        'mailbox',
        'status',
        '-u',
        user,
        'messages uidvalidity uidnext',
        mailbox,
      ]);
      const field = (name: string) => {
        const match = new RegExp(`${name}=(\\d+)`).exec(out);
        if (!match) throw new Error(`doveadm mailbox status gave no ${name}: ${out}`);
        return match[1];
      };
      return {
        messages: Number(field('messages')),
        uidValidity: field('uidvalidity'),
        uidNext: Number(field('uidnext')),
      };
    },
    log,
    async stop() {
      if (!exit) {
        master.kill('SIGTERM');
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
  return dovecot;
}
