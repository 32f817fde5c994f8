import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import {
  createInbox,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { BusError } from './errors.js';
import { StoredMessage, parseAckSubject, type BusMessage } from './message.js';

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
  /** Messages received ahead of `handle`: bounds what is buffered in memory (default 1000). */
  readonly fetchSize?: number;
  /** How long one pull request waits for messages before the next one (default 1000 ms). */
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

/** The next pull is sent this long before the current one expires. */
const PULL_OVERLAP_MS = 100;
/** Pulls in a row without any answer after which the consumer is taken for gone. */
const MAX_UNANSWERED_PULLS = 3;

/**
 * Reads a stream in order from a sequence, in batches, with no acks: the consumer's position is
 * owned by the caller (its checkpoint in PostgreSQL), so order is guaranteed, nothing is skipped
 * after a failure and no per-message ack traffic is spent.
 *
 * It speaks the pull protocol itself on a plain subscription (an ephemeral `AckPolicy.None`
 * consumer, one pull request of up to `fetchSize` messages at a time, refilled as `handle` takes
 * them): the client library's iterator and per-message `JsMsg` cost ~10 us per message, this ~4.5
 * (`test/bench`), and this is the hot path of every projection. A batch is handed over as soon as
 * the handler is free, so latency stays low when idle and batches grow under load. A gap in the
 * consumer's delivery sequence, a status that ends the consumer, or a failed batch re-creates the
 * consumer from the last handled sequence after a back-off. A consumer that stops delivering what
 * it said was pending (nats-server 2.9, created while the stream is being appended to) is replaced
 * at once, without a back-off.
 */
export function consumeOrdered(nc: NatsConnection, options: OrderedOptions): Consumption {
  const maxBatch = options.maxBatch ?? 500;
  const fetchSize = Math.max(options.fetchSize ?? 1000, maxBatch);
  const expiresMs = options.expiresMs ?? 1000;
  const { endSeq } = options;
  let next = options.startSeq;
  let stopped = false;
  let wake: (() => void) | undefined;
  const rouse = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  const reachedEnd = () => endSeq !== undefined && next > endSeq;

  /** One consumer from `next`: resolves when stopped or at the end, rejects to be re-created. */
  async function session(): Promise<void> {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const info = await jsm.consumers.add(options.stream, {
      filter_subject: options.filterSubject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Number(next),
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: 60_000 * 1_000_000,
    });
    // A replay's messages all exist already: none pending means none up to its end either.
    if (endSeq !== undefined && info.num_pending === 0) {
      next = endSeq + 1n;
      void jsm.consumers.delete(options.stream, info.name).catch(() => undefined);
      return;
    }
    const pullSubject = `$JS.API.CONSUMER.MSG.NEXT.${options.stream}.${info.name}`;
    // Each pull answers on its own subject, so a late status of an earlier pull is told apart.
    const inbox = createInbox();
    let pulls = 0;
    let currentPull = '';
    let buffer: StoredMessage[] = [];
    let delivered = 0;
    let failure: Error | undefined;
    /** Everything up to endSeq has been received: no more pulls. */
    let complete = false;
    /** Messages the current pull may still deliver; 0 = no pull open. */
    let requested = 0;
    let answered = false;
    let pullTimer: ReturnType<typeof setTimeout> | undefined;
    /** Pulls in a row that got no answer at all (no message, no status). */
    let unanswered = 0;
    /** Messages the server said were left after the last one it delivered. */
    let pendingOnServer = info.num_pending;
    /** The consumer stopped delivering what it said it had: re-create it at once. */
    let stalled = false;

    const fail = (error: Error) => {
      failure ??= error;
      rouse();
    };

    function pullEnded(): void {
      requested = 0;
      currentPull = '';
      clearTimeout(pullTimer);
      pullTimer = undefined;
    }

    /**
     * A pull that ended without being filled, while the last delivery said more were pending:
     * nats-server 2.9 leaves a consumer created during concurrent appends in this state, answering
     * every later pull with a 408 (the library hides it by creating a consumer per fetch).
     */
    function endedShort(): boolean {
      if (pendingOnServer === 0) return false;
      stalled = true;
      rouse();
      return true;
    }

    function pull(): void {
      if (requested > 0 || complete || failure || stopped || stalled) return;
      const batch = fetchSize - buffer.length;
      // Refill only once a quarter of the buffer is free: fewer, larger pulls.
      if (batch < fetchSize / 4) return;
      requested = batch;
      answered = false;
      currentPull = `${inbox}.${++pulls}`;
      nc.publish(pullSubject, JSON.stringify({ batch, expires: expiresMs * 1_000_000 }), {
        reply: currentPull,
      });
      // The next pull goes out shortly before this one expires, so one is always open: messages
      // appended between an expiry and the next pull waited for it, and nats-server 2.9 sometimes
      // drops a partly served request without the 408 that should end it (seen under concurrent
      // appends): measured, the reader then stalled for the client's grace, ~250 ms, at 500/s.
      pullTimer = setTimeout(
        () => {
          const silent = !answered;
          pullEnded();
          // Nothing at all during the pull although more were pending: the consumer is stuck.
          if (silent && endedShort()) return;
          // Several in a row without any answer (a late 408 of an earlier pull counts): the
          // consumer is gone (a server restart).
          if (silent && ++unanswered >= MAX_UNANSWERED_PULLS) {
            fail(new BusError(`no answer from consumer ${info.name} on ${options.stream}`));
          } else pull();
        },
        Math.max(expiresMs / 2, expiresMs - PULL_OVERLAP_MS),
      );
    }

    function onStatus(message: Msg): void {
      const code = message.headers?.code ?? 0;
      if (code === 100) return; // heart-beat or flow control: not asked for, nothing to do
      if (message.subject !== currentPull) {
        // About a pull that already ended by the client's clock: the consumer is there still.
        if (code === 408) unanswered = 0;
        return;
      }
      const description = message.headers?.description?.toLowerCase() ?? '';
      if (code === 408 || code === 404 || (code === 409 && !description.includes('deleted'))) {
        // The pull expired or was cut short (leadership change, max waiting): ask again.
        unanswered = 0;
        pullEnded();
        if (!endedShort()) pull();
        return;
      }
      fail(new BusError(`consumer ${info.name} on ${options.stream}: ${code} ${description}`));
    }

    function onMessage(message: Msg): void {
      if (failure || complete) return;
      const reply = message.reply;
      if (!reply?.startsWith('$JS.ACK.')) {
        onStatus(message);
        return;
      }
      const stored = new StoredMessage(message, parseAckSubject(reply));
      if (stored.deliverySeq !== delivered + 1) {
        fail(new BusError(`gap in ${options.stream} delivery after ${delivered}; re-reading`));
        return;
      }
      delivered = stored.deliverySeq;
      pendingOnServer = stored.pending;
      // Deliveries carry the stream subject, not the pull's: each counts against the open pull.
      answered = true;
      unanswered = 0;
      if (requested > 0 && --requested === 0) pullEnded();
      if (endSeq !== undefined && stored.seq > endSeq) {
        complete = true;
      } else {
        buffer.push(stored);
        // Nothing left that matches: a replay ends here (its end is not a message of the filter).
        if (endSeq !== undefined && stored.pending === 0) complete = true;
      }
      if (requested === 0) pull();
      rouse();
    }

    let subscription: Subscription | undefined;
    try {
      subscription = nc.subscribe(`${inbox}.*`, {
        callback: (error, message) => (error ? fail(error) : onMessage(message)),
      });
      pull();
      while (!stopped) {
        if (failure) throw failure;
        if (buffer.length === 0) {
          if (complete) {
            if (endSeq !== undefined) next = endSeq + 1n;
            return;
          }
          // What was received is handled first; the next consumer starts after it.
          if (stalled) return;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        const batch = buffer.length <= maxBatch ? buffer : buffer.slice(0, maxBatch);
        buffer = buffer.length <= maxBatch ? [] : buffer.slice(maxBatch);
        pull();
        await options.handle(batch);
        next = batch[batch.length - 1]!.seq + 1n;
      }
    } finally {
      clearTimeout(pullTimer);
      subscription?.unsubscribe();
      void jsm.consumers.delete(options.stream, info.name).catch(() => undefined);
    }
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!stopped && !reachedEnd()) {
      try {
        await session();
        attempt = 0;
      } catch (error) {
        if (stopped) break;
        attempt += 1;
        options.onError?.(error, attempt);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(rouse, Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
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
      rouse();
      await done;
    },
  };
}
