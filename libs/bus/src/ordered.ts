import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { toBusMessage, type BusMessage } from './message.js';

export interface OrderedOptions {
  readonly stream: string;
  /** One filter subject (nats-server 2.9 allows only one per consumer). */
  readonly filterSubject: string;
  /** First stream sequence to deliver, typically the projection checkpoint + 1. */
  readonly startSeq: bigint;
  /** Handles a batch in stream order. A throw retries the same batch after a back-off. */
  readonly handle: (batch: readonly BusMessage[]) => Promise<void>;
  /** Transient failures (bus or handler), retried; for logging and metrics. */
  readonly onError?: (error: unknown, attempt: number) => void;
  /** Largest batch handed to `handle` (default 500). */
  readonly maxBatch?: number;
  /** Messages requested per pull; bounds what is buffered in memory (default 1000). */
  readonly fetchSize?: number;
  /** How long one pull waits for messages before the next pull (default 1000 ms). */
  readonly expiresMs?: number;
  /** Stop after handling this sequence (replays); runs until stopped when absent. */
  readonly endSeq?: bigint;
}

export interface Consumption {
  /** Stops after the batch in flight; resolves once stopped. */
  stop(): Promise<void>;
  /** Resolves when consumption ended (stopped, or `endSeq` reached). */
  readonly done: Promise<void>;
  /** Sequence of the last handled message (startSeq - 1 before the first). */
  readonly position: () => bigint;
}

/**
 * Reads a stream in order from a sequence, in batches, with no acks: the consumer's position is
 * owned by the caller (its checkpoint in PostgreSQL), so order is guaranteed, nothing is skipped
 * after a failure and no per-message ack traffic is spent. Pulls of `fetchSize` bound memory; a
 * batch is handed over as soon as nothing more is buffered, so latency stays low when idle and
 * batches grow under load. Bus errors re-create the consumer from the last handled sequence.
 */
export function consumeOrdered(js: JetStreamClient, options: OrderedOptions): Consumption {
  const maxBatch = options.maxBatch ?? 500;
  const fetchSize = options.fetchSize ?? 1000;
  const expiresMs = options.expiresMs ?? 1000;
  let next = options.startSeq;
  let stopped = false;
  let stopCurrent: (() => void) | undefined;
  let wake: (() => void) | undefined;

  const reachedEnd = () => options.endSeq !== undefined && next > options.endSeq;

  async function handle(batch: BusMessage[]): Promise<void> {
    await options.handle(batch);
    next = batch[batch.length - 1]!.seq + 1n;
  }

  async function pullUntilStopped(): Promise<void> {
    const consumer = await js.consumers.get(options.stream, {
      filter_subjects: options.filterSubject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Number(next),
    });
    try {
      while (!stopped && !reachedEnd()) {
        const messages = await consumer.fetch({ max_messages: fetchSize, expires: expiresMs });
        stopCurrent = () => messages.stop();
        let batch: BusMessage[] = [];
        for await (const m of messages) {
          const message = toBusMessage(m);
          if (options.endSeq !== undefined && message.seq > options.endSeq) {
            // Past the end: every matching message up to it was handled.
            if (batch.length > 0) await handle(batch);
            batch = [];
            next = options.endSeq + 1n;
            break;
          }
          batch.push(message);
          if (batch.length >= maxBatch || messages.getPending() === 0) {
            await handle(batch);
            batch = [];
          }
          if (stopped || reachedEnd()) break;
        }
        if (batch.length > 0 && !stopped) await handle(batch);
        if (options.endSeq !== undefined && messages.getProcessed() === 0) {
          // Nothing left for this filter: the end lies beyond the last matching message.
          const info = await consumer.info();
          if (info.num_pending === 0) next = options.endSeq + 1n;
        }
      }
    } finally {
      stopCurrent = undefined;
      await consumer.delete().catch(() => undefined);
    }
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!stopped && !reachedEnd()) {
      try {
        await pullUntilStopped();
        attempt = 0;
      } catch (error) {
        if (stopped) break;
        attempt += 1;
        options.onError?.(error, attempt);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
        });
      }
    }
  }

  const done = run();
  return {
    done,
    position: () => next - 1n,
    async stop() {
      stopped = true;
      stopCurrent?.();
      wake?.();
      await done;
    },
  };
}
