/**
 * Pushing to staff browsers (screen pop, callback reminders, later chat): one message to one member of
 * staff, delivered to every page they have open (see docs/realtime.md).
 *
 * `notifyStaff(db, staffId, message)` is what modules call, after their transaction has committed. The
 * web process's `staffHub` hands messages to the server-sent-event streams of that person's pages.
 * Every push has a no-JavaScript twin: the page that shows the same state when it is loaded.
 */
import { EventEmitter } from 'node:events';

/** A message for one member of staff's pages. `kind` says what it is; `href` is where it leads. */
export interface StaffMessage {
  kind: string;
  title: string;
  body?: string;
  href?: string;
  [key: string]: unknown;
}

type Listener = (message: StaffMessage) => void;

/** The process's subscribers, by staff id. */
export class StaffHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  subscribe(staffId: string, listener: Listener): () => void {
    this.emitter.on(staffId, listener);
    return () => this.emitter.off(staffId, listener);
  }

  deliver(staffId: string, message: StaffMessage): void {
    this.emitter.emit(staffId, message);
  }

  listeners(staffId: string): number {
    return this.emitter.listenerCount(staffId);
  }
}

export const staffHub = new StaffHub();

/** Sends `message` to every open page of `staffId`. Call it after the change it reports has committed. */
export async function notifyStaff(_db: unknown, staffId: string, message: StaffMessage): Promise<void> {
  staffHub.deliver(staffId, message);
}
