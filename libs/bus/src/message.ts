import type { JsMsg } from '@nats-io/jetstream';
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
}

export function toBusMessage(m: JsMsg): BusMessage {
  return {
    seq: BigInt(m.info.streamSequence),
    subject: m.subject,
    data: m.data,
    meta: readEventMeta(m.headers),
    storedAt: new Date(m.info.timestampNanos / 1e6),
    deliveries: m.info.deliveryCount,
  };
}
