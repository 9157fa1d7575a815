/**
 * Group commit for call events (docs/telephony.md "Taking in events in batches"). Events that arrive while
 * a batch is being written wait and go together in the next one: one transaction and a fixed number of
 * statements for the lot, so a busy phone platform costs a handful of round trips a batch, not eight an
 * event. Each request is answered when its own batch has committed (nothing is acknowledged before it is
 * durable); with nothing else going on, an event is a batch of one and waits for nothing. A batch that
 * fails as a whole (a deadlock with another server, a database error) is tried again event by event, so one
 * bad event cannot fail the others.
 */
import type { IngestItem, IngestResult } from './telephony.ingest.ts';

export type IngestBatch = (items: IngestItem[]) => Promise<(IngestResult | Error)[]>;

interface Waiting {
  item: IngestItem;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

export class CallEventBatcher {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(
    private readonly ingest: IngestBatch,
    private readonly maxBatch = 200,
  ) {}

  /** Takes in one event; resolves when the batch it went in has committed. */
  add(item: IngestItem): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Requests read in the same turn of the event loop go in the first batch together.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.write(this.waiting.splice(0, this.maxBatch));
    } finally {
      this.running = false;
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    let results: (IngestResult | Error)[];
    try {
      results = await this.ingest(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      for (const one of batch) await this.write([one]);
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i];
      if (result instanceof Error) w.reject(result);
      else w.resolve(result);
    });
  }
}
