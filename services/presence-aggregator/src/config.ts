import { availableParallelism } from 'node:os';
import { ConfigError, envInt, envPort, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, partitionsEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

const schema = z.object({
  ...baseEnv,
  ...partitionsEnv,
  AGGREGATOR_GRPC_PORT: envPort(50052),
  AGGREGATOR_HTTP_PORT: envPort(8081),
  /** How often due timer facts are looked for; bounds how late an idle or grace timer fires. */
  AGGREGATOR_TIMER_TICK_MS: envInt({ default: 250, min: 10, max: 10_000 }),
  /**
   * Partitions this replica may own: `all`, or a list of numbers and ranges like `0-7,12`. Replicas
   * share them through leases (fair share each), so this only narrows where a partition may run.
   */
  AGGREGATOR_PARTITIONS: z.string().default('all').describe('`all` or partitions like `0-7,12`'),
  /** A replica's partitions are taken over this long after it stops renewing them. */
  AGGREGATOR_LEASE_TTL_MS: envInt({ default: 6_000, min: 1_000, max: 300_000 }),
  /**
   * Events per partition between snapshots of its users' records: a restart re-folds at most this
   * many (silently) per partition; fewer means more writes.
   */
  AGGREGATOR_SNAPSHOT_EVERY: envInt({ default: 50_000, min: 1, max: 10_000_000 }),
  /**
   * A partition writes its read model rows and checkpoint at most this often, everything folded
   * since in one transaction; changes are published at once regardless. Longer = fewer PostgreSQL
   * transactions and a read model (and restart re-fold) further behind the log.
   */
  AGGREGATOR_COMMIT_INTERVAL_MS: envInt({ default: 250, min: 0, max: 10_000 }),
  /**
   * Threads folding a rebuild beside the one reading the log; 0 = one per CPU core but the
   * reader's (at least 1, at most 4). On 2 cores a second fold thread only adds overhead.
   */
  AGGREGATOR_REBUILD_THREADS: envInt({ default: 0, min: 0, max: 64 }),
  /** A gateway silent for this long is lost: its devices go offline (RULES.md 1: within 15 s). */
  GATEWAY_LIVENESS_TIMEOUT_MS: envInt({ default: 10_000, min: 500, max: 300_000 }),
  /** The smallest idle timeout users and admins may set (RULES.md 1: 60 s). */
  PRESENCE_MIN_IDLE_TIMEOUT_S: envInt({ default: 60, min: 1, max: 86_400 }),
});

export interface AggregatorConfig extends BaseConfig {
  readonly partitions: number;
  readonly timerTickMs: number;
  readonly snapshotEvery: number;
  readonly commitIntervalMs: number;
  readonly rebuildThreads: number;
  readonly minIdleTimeoutS: number;
  /** Partitions this replica may own, ascending. */
  readonly candidatePartitions: readonly number[];
  readonly leaseTtlMs: number;
  readonly gatewayLivenessTimeoutMs: number;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): AggregatorConfig {
  const raw = parseConfig(schema, env);
  return Object.freeze({
    ...baseConfig(raw),
    grpcPort: raw.AGGREGATOR_GRPC_PORT,
    httpPort: raw.AGGREGATOR_HTTP_PORT,
    partitions: raw.PRESENCE_PARTITIONS,
    timerTickMs: raw.AGGREGATOR_TIMER_TICK_MS,
    snapshotEvery: raw.AGGREGATOR_SNAPSHOT_EVERY,
    commitIntervalMs: raw.AGGREGATOR_COMMIT_INTERVAL_MS,
    rebuildThreads:
      raw.AGGREGATOR_REBUILD_THREADS === 0
        ? Math.max(1, Math.min(4, availableParallelism() - 1))
        : raw.AGGREGATOR_REBUILD_THREADS,
    minIdleTimeoutS: raw.PRESENCE_MIN_IDLE_TIMEOUT_S,
    candidatePartitions: parsePartitions(raw.AGGREGATOR_PARTITIONS, raw.PRESENCE_PARTITIONS),
    leaseTtlMs: raw.AGGREGATOR_LEASE_TTL_MS,
    gatewayLivenessTimeoutMs: raw.GATEWAY_LIVENESS_TIMEOUT_MS,
  });
}

/** `all` or `0-7,12` -> the partition numbers, each below `count`; refused with the variable named. */
export function parsePartitions(spec: string, count: number): number[] {
  const all = Array.from({ length: count }, (_, p) => p);
  if (spec.trim() === 'all') return all;
  const chosen = new Set<number>();
  for (const part of spec.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = Number(match?.[1]);
    const to = Number(match?.[2] ?? match?.[1]);
    if (!match || from > to || to >= count) {
      throw new ConfigError([
        {
          variable: 'AGGREGATOR_PARTITIONS',
          expected: `\`all\` or partitions and ranges below PRESENCE_PARTITIONS (${count}) such as \`0-7,12\``,
          given: JSON.stringify(spec),
        },
      ]);
    }
    for (let p = from; p <= to; p += 1) chosen.add(p);
  }
  return [...chosen].sort((a, b) => a - b);
}
