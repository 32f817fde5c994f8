export { connectBus, type ConnectOptions } from './connection.js';
export { createLastValueReader, type LastValueReader } from './direct.js';
export {
  ack,
  consumeDurable,
  ensureDurable,
  nak,
  term,
  type Disposition,
  type DurableOptions,
  type DurableSpec,
} from './durable.js';
export { BusError, isBusError } from './errors.js';
export {
  childTraceparent,
  CONTENT_TYPE,
  eventHeaders,
  readEventMeta,
  type EventMeta,
} from './headers.js';
export type { BusMessage } from './message.js';
export { consumeOrdered, type Consumption, type OrderedOptions } from './ordered.js';
export {
  createFencedPublisher,
  createPublisher,
  isWrongLastSequence,
  publishEvent,
  type OutgoingEvent,
  type Publisher,
} from './publisher.js';
export { ensureStreams, type EnsureStreamsOptions } from './streams.js';
export {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
export { headers, type NatsConnection } from '@nats-io/transport-node';
export { openBucket, type BucketSpec, type KV, type KvEntry, type KvWatchEntry } from './kv.js';
