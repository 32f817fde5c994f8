import type { JsMsg } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/transport-node';
import { readEventMeta, type EventMeta } from './headers.js';

/** A stored event as consumers see it: position in the stream, subject, payload and metadata. */
export interface BusMessage {
  /** Stream sequence: the event's position in the log (a projection checkpoint). */
  readonly seq: bigint;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly meta: Partial<EventMeta>;
  /** Server timestamp of the append. */
  readonly storedAt: Date;
  /** How many times the server delivered it (1 = first delivery). */
  readonly deliveries: number;
  /** Messages left for the consumer after this one when it was delivered (0 = caught up). */
  readonly pending: number;
}

export function toBusMessage(m: JsMsg): BusMessage {
  const info = m.info;
  let meta: Partial<EventMeta> | undefined;
  return {
    seq: BigInt(info.streamSequence),
    subject: m.subject,
    data: m.data,
    // Parsed on first use: most consumers never look at the headers of most messages.
    get meta() {
      return (meta ??= readEventMeta(m.headers));
    },
    get storedAt() {
      return new Date(info.timestampNanos / 1e6);
    },
    deliveries: info.deliveryCount,
    pending: info.pending,
  };
}

/** What the reply subject of a JetStream delivery says (`$JS.ACK....`). */
export interface Delivery {
  readonly deliveries: number;
  readonly streamSeq: number;
  readonly deliverySeq: number;
  readonly timestampNanos: number;
  readonly pending: number;
}

/**
 * Reads `$JS.ACK.<stream>.<consumer>.<deliveries>.<sseq>.<dseq>.<nanos>.<pending>`, or the newer
 * form with `<domain>.<account hash>` after `ACK` and a random token at the end, without splitting
 * it into strings (this runs for every message a projection reads).
 */
export function parseAckSubject(reply: string): Delivery {
  const dots: number[] = [];
  for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === 46) dots.push(i);
  // Index of the dot before <deliveries>: the 4th (old form) or the 6th (with domain and hash).
  const first = dots.length === 8 ? 3 : dots.length === 10 || dots.length === 11 ? 5 : -1;
  if (first === -1) throw new Error(`not a JetStream delivery subject: ${reply}`);
  const token = (k: number) =>
    digits(reply, dots[first + k]! + 1, dots[first + k + 1] ?? reply.length);
  return {
    deliveries: token(0),
    streamSeq: token(1),
    deliverySeq: token(2),
    timestampNanos: token(3),
    pending: token(4),
  };
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) throw new Error(`not a number in a JetStream delivery: ${text}`);
    value = value * 10 + digit;
  }
  return value;
}

/** A message read by `consumeOrdered`: headers and time are decoded only when asked for. */
export class StoredMessage implements BusMessage {
  readonly seq: bigint;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly deliveries: number;
  readonly pending: number;
  readonly deliverySeq: number;
  readonly #timestampNanos: number;
  readonly #message: Msg;
  #meta: Partial<EventMeta> | undefined;

  constructor(message: Msg, delivery: Delivery) {
    this.#message = message;
    this.seq = BigInt(delivery.streamSeq);
    this.subject = message.subject;
    this.data = message.data;
    this.deliveries = delivery.deliveries;
    this.pending = delivery.pending;
    this.deliverySeq = delivery.deliverySeq;
    this.#timestampNanos = delivery.timestampNanos;
  }

  get meta(): Partial<EventMeta> {
    return (this.#meta ??= readEventMeta(this.#message.headers));
  }

  get storedAt(): Date {
    return new Date(this.#timestampNanos / 1e6);
  }
}
