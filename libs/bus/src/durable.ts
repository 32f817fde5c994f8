import {
  AckPolicy,
  DeliverPolicy,
  jetstreamManager,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { BusError } from './errors.js';
import { toBusMessage, type BusMessage } from './message.js';
import type { Consumption } from './ordered.js';

/** What to do with one message after handling it. */
export type Disposition =
  | { readonly kind: 'ack' }
  /** Redeliver later (transient failure), after `delayMs`. */
  | { readonly kind: 'nak'; readonly delayMs: number }
  /** Never redeliver (poison message); log it before returning this. */
  | { readonly kind: 'term'; readonly reason: string };

export const ack: Disposition = { kind: 'ack' };
export const nak = (delayMs: number): Disposition => ({ kind: 'nak', delayMs });
export const term = (reason: string): Disposition => ({ kind: 'term', reason });

export interface DurableSpec {
  readonly stream: string;
  /** Durable name; production names are defined next to the subjects in @presence/contracts. */
  readonly durable: string;
  readonly filterSubject: string;
  /** Unacked messages the server hands out at once; the back-pressure bound (default 1000). */
  readonly maxAckPending?: number;
  /** Redelivery after this long without an ack (default 30 s). */
  readonly ackWaitMs?: number;
}

/** Creates the durable pull consumer, or updates it to the spec; idempotent. */
export async function ensureDurable(nc: NatsConnection, spec: DurableSpec): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    durable_name: spec.durable,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: spec.maxAckPending ?? 1000,
    ack_wait: (spec.ackWaitMs ?? 30_000) * 1_000_000,
  };
  try {
    const existing = await jsm.consumers.info(spec.stream, spec.durable).catch(() => null);
    if (existing === null) await jsm.consumers.add(spec.stream, config);
    else
      await jsm.consumers.update(spec.stream, spec.durable, {
        max_ack_pending: config.max_ack_pending,
        ack_wait: config.ack_wait,
      });
  } catch (error) {
    throw new BusError(
      `cannot declare consumer ${spec.durable} on ${spec.stream}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export interface DurableOptions {
  readonly stream: string;
  readonly durable: string;
  /** Handles a batch; returns one disposition per message (same order). A throw naks the batch. */
  readonly handle: (batch: readonly BusMessage[]) => Promise<readonly Disposition[]>;
  readonly onError?: (error: unknown) => void;
  readonly maxBatch?: number;
  /** Delay before redelivery when `handle` throws (default 1 s). */
  readonly retryDelayMs?: number;
}

/**
 * At-least-once consumption of a durable pull consumer, batched like `consumeOrdered`. For side
 * effects that must happen once per message but need no strict order (pushes, webhooks); folds
 * into a read model use `consumeOrdered` from a checkpoint instead.
 */
export function consumeDurable(js: JetStreamClient, options: DurableOptions): Consumption {
  const maxBatch = options.maxBatch ?? 500;
  let stopped = false;
  let stopCurrent: (() => void) | undefined;
  let last = 0n;

  async function settle(raw: JsMsg[]): Promise<void> {
    const batch = raw.map(toBusMessage);
    let dispositions: readonly Disposition[];
    try {
      dispositions = await options.handle(batch);
      if (dispositions.length !== raw.length) {
        throw new BusError(
          `handler returned ${dispositions.length} dispositions for ${raw.length} messages`,
        );
      }
    } catch (error) {
      options.onError?.(error);
      dispositions = raw.map(() => nak(options.retryDelayMs ?? 1_000));
    }
    raw.forEach((m, i) => {
      const d = dispositions[i]!;
      if (d.kind === 'ack') m.ack();
      else if (d.kind === 'nak') m.nak(d.delayMs);
      // nats-server 2.9 ignores a +TERM that carries a reason (2.10 reads it): the caller logs the reason.
      else m.term();
    });
    last = batch[batch.length - 1]!.seq;
  }

  async function run(): Promise<void> {
    const consumer = await js.consumers.get(options.stream, options.durable);
    const messages = await consumer.consume({ max_messages: maxBatch * 2 });
    stopCurrent = () => void messages.close();
    let raw: JsMsg[] = [];
    for await (const m of messages) {
      raw.push(m);
      if (raw.length >= maxBatch || messages.getPending() === 0) {
        await settle(raw);
        raw = [];
      }
      if (stopped) break;
    }
    if (raw.length > 0) await settle(raw);
  }

  const done = run();
  return {
    done,
    position: () => last,
    async stop() {
      stopped = true;
      stopCurrent?.();
      await done;
    },
  };
}
