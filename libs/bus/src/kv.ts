import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { BusError } from './errors.js';

export type { KV, KvEntry, KvWatchEntry } from '@nats-io/kv';

export interface BucketSpec {
  readonly name: string;
  readonly description: string;
  /**
   * Bucket-level max age: a key not written for this long disappears. Per-key TTLs do not work on
   * nats-server 2.9 (TOOLCHAIN.md), so liveness keys (heart-beats, leases) live in a bucket of their
   * own whose age limit is the liveness timeout.
   */
  readonly ttlMs: number;
  readonly replicas?: number;
}

/** Creates the bucket, or binds to it when it exists; idempotent like `ensureStreams`. */
export async function openBucket(js: JetStreamClient, spec: BucketSpec): Promise<KV> {
  try {
    return await new Kvm(js).create(spec.name, {
      description: spec.description,
      ttl: spec.ttlMs,
      history: 1,
      replicas: spec.replicas ?? 1,
    });
  } catch (error) {
    throw new BusError(`cannot open the ${spec.name} bucket: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
