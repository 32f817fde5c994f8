import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SCENARIOS = [
  'baseline',
  'hold',
  'multi',
  'connect-rate',
  'fanout',
  'latency',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The knobs of `npm run load`, read once from the environment (README.md lists them). */
export interface LoadConfig {
  /** LOAD_SCENARIO: comma-separated, or `all` (every scenario, in this order). */
  readonly scenarios: readonly ScenarioName[];
  /** LOAD_SCALE multiplies every connection and user count below (0.1 for a quick run). */
  readonly scale: number;
  /** LOAD_CONNECTIONS: watching connections on one gateway (hold), idle ones on the raw server (baseline). */
  readonly connections: number;
  /** LOAD_HOLD_EXTRA: connections tried beyond that while it holds them (refused at its cap). */
  readonly holdExtra: number;
  /** LOAD_HOLD_S: how long the held connections live (activity, status changes, churn). */
  readonly holdS: number;
  /** LOAD_GATEWAYS and LOAD_MULTI_CONNECTIONS: the multi-gateway scenario. */
  readonly gateways: number;
  readonly multiConnections: number;
  /** LOAD_CONNECT_CONNECTIONS: connections opened as fast as they are accepted (connect-rate). */
  readonly connectConnections: number;
  /** LOAD_WATCH: users each connection watches (a ring: each user is watched by as many). */
  readonly watch: number;
  /** LOAD_USERS: the ring of the latency scenario. */
  readonly users: number;
  /** LOAD_RATE: deliveries per second of each latency step (status changes = rate / LOAD_WATCH). */
  readonly rates: readonly number[];
  /** LOAD_FANOUT_WATCHERS, LOAD_FANOUT_USERS, LOAD_FANOUT_RATE (offered deliveries per second). */
  readonly fanoutWatchers: number;
  readonly fanoutUsers: number;
  readonly fanoutRate: number;
  /** LOAD_DURATION_S and LOAD_WARMUP_S: each traffic step, and its unmeasured start. */
  readonly durationS: number;
  readonly warmupS: number;
  /** LOAD_CLIENTS: load-client processes; LOAD_ADDRESSES: loopback source addresses (127.0.0.1...). */
  readonly clients: number;
  readonly addresses: readonly string[];
  /** LOAD_IN_FLIGHT: connections each load client opens at once. */
  readonly inFlight: number;
  /** LOAD_TIMEOUT_S: a scenario that takes longer fails the run. */
  readonly scenarioTimeoutS: number;
  /** PRESENCE_PARTITIONS, given to the gateways and the aggregator. */
  readonly partitions: number;
  /** LOAD_BUILD: `dist` (compiled JavaScript, as deployed; built first) or `source` (tsx). */
  readonly build: 'dist' | 'source';
  /** LOAD_LOG_LEVEL: LOG_LEVEL of the gateways and the aggregator. */
  readonly logLevel: string;
  /** LOAD_LOG_DIR: where the processes' output is kept. */
  readonly logDir: string;
  /** LOAD_HEAP_SNAPSHOT=1: the hold scenario writes a heap snapshot of its gateway into the log dir. */
  readonly heapSnapshot: boolean;
  /** LOAD_CPU_PROF: a directory; the gateways run with `--cpu-prof` and each scenario summarizes them. */
  readonly cpuProfileDir: string | undefined;
  /** LOAD_GATEWAY_NODE_ARGS: more Node.js flags for the gateways, space-separated (`--trace-gc`). */
  readonly gatewayNodeArgs: readonly string[];
}

/** The most sockets one load client holds (the open-file limit is 20,000 per process). */
export const MAX_SOCKETS_PER_CLIENT = 18_000;

type Env = Record<string, string | undefined>;

const text = (env: Env, name: string) =>
  env[name] === undefined || env[name] === '' ? undefined : env[name];

function number(env: Env, name: string, fallback: number, min: number, integer = true): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value) || value < min || (integer && !Number.isSafeInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new Error(`${name}: expected ${kind} >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function scenarios(env: Env): ScenarioName[] {
  const raw = text(env, 'LOAD_SCENARIO') ?? 'all';
  if (raw === 'all') return [...SCENARIOS];
  return raw.split(',').map((name) => {
    const found = SCENARIOS.find((s) => s === name.trim());
    if (!found)
      throw new Error(`LOAD_SCENARIO: unknown ${JSON.stringify(name)}; one of all, ${SCENARIOS}`);
    return found;
  });
}

function rates(env: Env): number[] {
  const raw = text(env, 'LOAD_RATE') ?? '5000,40000';
  const values = raw.split(',').map((part) => Number(part.trim().replaceAll('_', '')));
  if (values.some((v) => !Number.isSafeInteger(v) || v < 1))
    throw new Error(`LOAD_RATE: expected deliveries per second, e.g. 5000,40000; got ${raw}`);
  return values;
}

function build(env: Env): 'dist' | 'source' {
  const value = text(env, 'LOAD_BUILD') ?? 'dist';
  if (value === 'dist' || value === 'source') return value;
  throw new Error(`LOAD_BUILD: expected dist or source, got ${JSON.stringify(value)}`);
}

export function loadConfig(env: Env = process.env): LoadConfig {
  const scale = number(env, 'LOAD_SCALE', 1, 0.001, false);
  const sized = (name: string, fallback: number) =>
    number(env, name, Math.max(1, Math.round(fallback * scale)), 1);
  const addresses = number(env, 'LOAD_ADDRESSES', 8, 1);
  if (addresses > 254) throw new Error('LOAD_ADDRESSES: at most 254 (127.0.0.1-127.0.0.254)');
  const config: LoadConfig = {
    scenarios: scenarios(env),
    scale,
    connections: sized('LOAD_CONNECTIONS', 19_000),
    holdExtra: sized('LOAD_HOLD_EXTRA', 500),
    holdS: number(env, 'LOAD_HOLD_S', 20, 1),
    gateways: number(env, 'LOAD_GATEWAYS', 3, 1),
    multiConnections: sized('LOAD_MULTI_CONNECTIONS', 50_000),
    connectConnections: sized('LOAD_CONNECT_CONNECTIONS', 10_000),
    watch: number(env, 'LOAD_WATCH', 10, 0),
    users: sized('LOAD_USERS', 10_000),
    rates: rates(env),
    fanoutWatchers: sized('LOAD_FANOUT_WATCHERS', 10_000),
    fanoutUsers: number(env, 'LOAD_FANOUT_USERS', 10, 1),
    fanoutRate: number(env, 'LOAD_FANOUT_RATE', 150_000, 1),
    durationS: number(env, 'LOAD_DURATION_S', 15, 1),
    warmupS: number(env, 'LOAD_WARMUP_S', 3, 0),
    clients: number(env, 'LOAD_CLIENTS', 4, 1),
    addresses: Array.from({ length: addresses }, (_, i) => `127.0.0.${i + 1}`),
    inFlight: number(env, 'LOAD_IN_FLIGHT', 64, 1),
    scenarioTimeoutS: number(env, 'LOAD_TIMEOUT_S', 300, 10),
    partitions: number(env, 'PRESENCE_PARTITIONS', 16, 1),
    build: build(env),
    logLevel: text(env, 'LOAD_LOG_LEVEL') ?? 'info',
    logDir: resolve(
      text(env, 'LOAD_LOG_DIR') ??
        join(tmpdir(), `presence-load-${new Date().toISOString().replace(/[:.]/g, '-')}`),
    ),
    heapSnapshot: text(env, 'LOAD_HEAP_SNAPSHOT') === '1',
    cpuProfileDir:
      text(env, 'LOAD_CPU_PROF') === undefined ? undefined : resolve(env['LOAD_CPU_PROF']!),
    gatewayNodeArgs: (text(env, 'LOAD_GATEWAY_NODE_ARGS') ?? '').split(' ').filter(Boolean),
  };
  if (config.warmupS >= config.durationS)
    throw new Error('LOAD_WARMUP_S: must be shorter than LOAD_DURATION_S');
  return Object.freeze(config);
}
