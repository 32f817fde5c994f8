import {
  DiscardPolicy,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { StreamSpec } from '@presence/contracts';
import { BusError } from './errors.js';

export interface EnsureStreamsOptions {
  /** Stream replicas: 1 locally, 3 on a JetStream cluster. */
  readonly replicas?: number;
}

/**
 * Creates each stream, or updates it when its config drifted from the spec. Safe to call from
 * every service at every start. Only fields understood by nats-server 2.9 are sent (no metadata,
 * compression or subject transforms), so the same code runs on 2.9 and 2.12.
 */
export async function ensureStreams(
  nc: NatsConnection,
  specs: readonly StreamSpec[],
  options: EnsureStreamsOptions = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const spec of specs) {
    const wanted = toStreamConfig(spec, options.replicas ?? 1);
    try {
      const info = await jsm.streams.info(spec.name).catch((error: unknown) => {
        if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
          return null;
        throw error;
      });
      if (info === null) {
        await jsm.streams.add(wanted);
      } else if (drifted(info.config, wanted)) {
        await jsm.streams.update(spec.name, { ...info.config, ...wanted });
      }
    } catch (error) {
      throw new BusError(`cannot declare stream ${spec.name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

function toStreamConfig(
  spec: StreamSpec,
  replicas: number,
): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    description: spec.description,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: spec.maxMsgsPerSubject === 0 ? -1 : spec.maxMsgsPerSubject,
    allow_direct: spec.allowDirect,
    duplicate_window: spec.duplicateWindowMs * 1_000_000,
    num_replicas: replicas,
  };
}

function drifted(current: StreamConfig, wanted: Partial<StreamConfig>): boolean {
  return (
    JSON.stringify(current.subjects) !== JSON.stringify(wanted.subjects) ||
    current.description !== wanted.description ||
    current.max_msgs_per_subject !== wanted.max_msgs_per_subject ||
    Boolean(current.allow_direct) !== Boolean(wanted.allow_direct) ||
    current.duplicate_window !== wanted.duplicate_window ||
    current.num_replicas !== wanted.num_replicas
  );
}
