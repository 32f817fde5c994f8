import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The knobs of `npm run bench`, read once from the environment (README.md lists them). */
export interface BenchConfig {
  /** Device events published in each phase (BENCH_EVENTS). */
  readonly events: number;
  /** Distinct users the events are about (BENCH_USERS). */
  readonly users: number;
  /** Device partitions P (PRESENCE_PARTITIONS), passed to the aggregator as well. */
  readonly partitions: number;
  /** Seed of the workload generator: the same seed gives the same events (BENCH_SEED). */
  readonly seed: number;
  /** The simulated traffic spans this many seconds, ending when the bench starts (BENCH_WINDOW_S). */
  readonly windowS: number;
  /** Publishes awaiting their JetStream ack at once (BENCH_MAX_IN_FLIGHT). */
  readonly maxInFlight: number;
  /** A phase fails when nothing moves for this long (BENCH_STALL_S). */
  readonly stallS: number;
  /** A phase fails after this long whatever happens (BENCH_TIMEOUT_S). */
  readonly timeoutS: number;
  /** Checkout whose presence-aggregator is measured (BENCH_AGGREGATOR_ROOT; default this repo). */
  readonly aggregatorRoot: string;
  /**
   * How the aggregator runs (BENCH_AGGREGATOR_BUILD): `dist`, the compiled JavaScript production
   * runs (`npm run build` first), or `source`, TypeScript through tsx as `npm start` runs it.
   */
  readonly aggregatorBuild: 'dist' | 'source';
  /** LOG_LEVEL of the aggregator (BENCH_LOG_LEVEL). */
  readonly aggregatorLogLevel: string;
  /** When set, the aggregator runs with `--cpu-prof` and writes its profiles here (BENCH_CPU_PROF). */
  readonly cpuProfileDir: string | undefined;
  /** Where the aggregator's and the raw consumers' output is kept (BENCH_LOG_DIR). */
  readonly logDir: string;
}

const repoRoot = resolve(import.meta.dirname, '../..');

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name}: expected an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function text(env: Record<string, string | undefined>, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function build(value: string): 'dist' | 'source' {
  if (value === 'dist' || value === 'source') return value;
  throw new Error(`BENCH_AGGREGATOR_BUILD: expected dist or source, got ${JSON.stringify(value)}`);
}

export function loadBenchConfig(
  env: Record<string, string | undefined> = process.env,
): BenchConfig {
  const cpuProfile = text(env, 'BENCH_CPU_PROF');
  return Object.freeze({
    events: integer(env, 'BENCH_EVENTS', 1_000_000, 1),
    users: integer(env, 'BENCH_USERS', 100_000, 1),
    partitions: integer(env, 'PRESENCE_PARTITIONS', 16, 1),
    seed: integer(env, 'BENCH_SEED', 1, 0),
    windowS: integer(env, 'BENCH_WINDOW_S', 300, 1),
    maxInFlight: integer(env, 'BENCH_MAX_IN_FLIGHT', 2048, 1),
    stallS: integer(env, 'BENCH_STALL_S', 60, 1),
    timeoutS: integer(env, 'BENCH_TIMEOUT_S', 900, 1),
    aggregatorRoot: resolve(text(env, 'BENCH_AGGREGATOR_ROOT') ?? repoRoot),
    aggregatorBuild: build(text(env, 'BENCH_AGGREGATOR_BUILD') ?? 'dist'),
    aggregatorLogLevel: text(env, 'BENCH_LOG_LEVEL') ?? 'info',
    cpuProfileDir: cpuProfile === undefined ? undefined : resolve(cpuProfile),
    logDir: resolve(
      text(env, 'BENCH_LOG_DIR') ??
        join(tmpdir(), `presence-bench-${new Date().toISOString().replace(/[:.]/g, '-')}`),
    ),
  });
}

/** Root of this repository (where the bench itself runs). */
export const REPO_ROOT = repoRoot;
