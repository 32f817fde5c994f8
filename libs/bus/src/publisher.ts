import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventHeaders, type EventMeta } from './headers.js';
import { BusError } from './errors.js';

export interface OutgoingEvent extends EventMeta {
  /** The full subject, built with `subjects` from @presence/contracts. */
  readonly natsSubject: string;
  /** Protobuf-encoded payload. */
  readonly data: Uint8Array;
  /**
   * Optimistic concurrency: the stream refuses the append (`isWrongLastSequence`) unless the last
   * message on `natsSubject` has this sequence (0 = none yet).
   */
  readonly expectLastSubjectSequence?: bigint;
}

/** The stream refused an append because another writer appended to the subject first. */
export function isWrongLastSequence(error: unknown): boolean {
  // BusError wraps the client's JetStreamApiError, whose `code` is the JetStream error code.
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === WRONG_LAST_SEQUENCE;
}

// JSStreamWrongLastSequenceErr
const WRONG_LAST_SEQUENCE = 10071;

/** Appends one event and waits for the stream's ack (durable once this resolves). */
export async function publishEvent(
  js: JetStreamClient,
  event: OutgoingEvent,
  timeoutMs = 5_000,
): Promise<PubAck> {
  try {
    return await js.publish(event.natsSubject, event.data, {
      msgID: event.id,
      headers: eventHeaders(event),
      timeout: timeoutMs,
      ...(event.expectLastSubjectSequence === undefined
        ? {}
        : { expect: { lastSubjectSequence: Number(event.expectLastSubjectSequence) } }),
    });
  } catch (error) {
    throw new BusError(
      `cannot publish ${event.type} to ${event.natsSubject}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export interface Publisher {
  /**
   * Starts a publish. Resolves once the publish is under way (waiting first while the window is
   * full, which is the back-pressure); never rejects: failures surface on `flush()`.
   */
  publish(event: OutgoingEvent): Promise<void>;
  /** Resolves when every publish started so far is acked; rejects with the first failure since the last flush. */
  flush(): Promise<void>;
}

/**
 * Pipelined publishing: up to `maxInFlight` publishes wait for their acks at once instead of one
 * round trip each (DESIGN.md, hot path). Callers `flush()` before acting on the acks, e.g. before
 * committing a projection checkpoint.
 */
export function createPublisher(
  js: JetStreamClient,
  options: { maxInFlight?: number; timeoutMs?: number } = {},
): Publisher {
  const maxInFlight = options.maxInFlight ?? 256;
  const inFlight = new Set<Promise<void>>();
  /** Publishes waiting for a place in the window, first come first served. */
  const queue: Array<() => void> = [];
  let firstError: unknown;

  function start(event: OutgoingEvent): void {
    const pending: Promise<void> = publishEvent(js, event, options.timeoutMs).then(
      () => undefined,
      (error: unknown) => {
        firstError ??= error;
      },
    );
    inFlight.add(pending);
    void pending.then(() => {
      inFlight.delete(pending);
      queue.shift()?.();
    });
  }

  return {
    async publish(event) {
      if (inFlight.size >= maxInFlight || queue.length > 0) {
        await new Promise<void>((resolve) => queue.push(resolve));
      }
      start(event);
    },
    async flush() {
      while (inFlight.size > 0 || queue.length > 0) await Promise.all([...inFlight]);
      if (firstError !== undefined) {
        const error = firstError;
        firstError = undefined;
        throw error instanceof BusError ? error : new BusError('publish failed', { cause: error });
      }
    },
  };
}

/**
 * Fenced publishing, for a producer that appends many events to ONE stream and only needs to know
 * they are all stored before it moves on (a projection before its checkpoint). Events go out as
 * plain NATS publishes, without a request and an ack each (a JetStream ack costs the client a
 * request, a timer and a JSON parse); `flush()` then re-publishes the last one with an ack. A
 * stream stores what one connection sends in order, so the ack of the fence (a duplicate, by its
 * `Nats-Msg-Id`) proves the earlier ones were processed. If the connection dropped meanwhile, or the
 * fence fails, everything since the last flush is published again with an ack each; `Nats-Msg-Id`
 * makes that idempotent.
 */
export function createFencedPublisher(
  nc: NatsConnection,
  js: JetStreamClient,
  options: { timeoutMs?: number } = {},
): Publisher {
  let pending: OutgoingEvent[] = [];
  let disconnects = 0;
  let disconnectsAtStart = 0;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') disconnects += 1;
    }
  })();
  const acked = createPublisher(js, options);

  return {
    async publish(event) {
      if (pending.length === 0) disconnectsAtStart = disconnects;
      pending.push(event);
      nc.publish(event.natsSubject, event.data, { headers: eventHeaders(event) });
    },
    async flush() {
      if (pending.length === 0) return;
      const events = pending;
      pending = [];
      let fenced = false;
      try {
        await publishEvent(js, events[events.length - 1]!, options.timeoutMs);
        fenced = disconnects === disconnectsAtStart;
      } catch {
        fenced = false;
      }
      if (fenced) return;
      for (const event of events) void acked.publish(event);
      await acked.flush();
    },
  };
}
