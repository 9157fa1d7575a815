/**
 * An exclusive lock on the embedded database folder. PGlite does not guard against a second process
 * opening the same files; two writers corrupt it silently. The lock file holds the owner's pid: a lock left
 * by a process that no longer exists (for example after SIGKILL) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface DirectoryLock {
  release(): void;
}

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDirectoryLock(dir: string): DirectoryLock {
  const file = join(dir, 'frontdoor.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new DirectoryLockedError(
          `Another Frontdoor process (pid ${owner}) is using the embedded database in ${dir}. Stop it first, or set DATA_DIR to another folder.`,
        );
      }
      if (owner === process.pid) {
        throw new DirectoryLockedError(`The embedded database in ${dir} is already open in this process.`);
      }
      unlinkSync(file); // stale lock from a process that has gone
    }
  }
  throw new DirectoryLockedError(`Could not lock ${dir}.`);
}
