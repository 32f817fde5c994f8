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
