import { setTimeout as sleep } from 'node:timers/promises';
import { measureCpu, type CpuUse } from '../bench/context.js';
import { memoryMiB } from '../bench/proc-stats.js';
import { count, startTicker } from '../bench/progress.js';
import type { GatewayProcess } from './gateway-process.js';
import type { Harness } from './harness.js';
import { mergeHistograms, summarize, type LatencySummary } from './histograms.js';
import {
  epochMs,
  sumCounts,
  type Counts,
  type Group,
  type TrafficCommand,
  type TrafficResult,
} from './protocol.js';

/** Signing a token costs a client about this long before its first connect (jose, HS256). */
const SIGN_MS_PER_TOKEN = 0.05;
const PROGRESS_MS = 5000;

const sumOf = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export interface OpenSummary {
  readonly attempted: number;
  readonly established: number;
  readonly retried: number;
  readonly errors: Counts;
  /** From the first attempt (of any client) to the last connection established. */
  readonly ms: number;
  readonly connectsPerS: number;
  /** Attempt -> hello (and watch ack) per connection. */
  readonly connect: LatencySummary;
}

/** Opens a group over all clients, as fast as `inFlight` per client and the server allow. */
export async function openGroup(
  h: Harness,
  label: string,
  group: Group,
  urls: readonly string[],
  options: { readonly retries: number },
): Promise<OpenSummary> {
  const clients = await h.clients();
  const before = clients.progress();
  const stopTicker = startTicker(
    label,
    () => {
      const now = clients.progress();
      return `established ${count(now.established - before.established)} / ${count(group.count)}, failed ${count(now.failed - before.failed)}`;
    },
    PROGRESS_MS,
  );
  const startAt = epochMs() + 500 + Math.ceil(group.count / clients.count) * SIGN_MS_PER_TOKEN;
  try {
    const results = await clients.run<'open'>(() => ({
      type: 'open',
      group,
      urls,
      inFlight: h.config.inFlight,
      retries: options.retries,
      startAt,
      deadlineMs: (h.config.scenarioTimeoutS * 1000 * 2) / 3,
    }));
    const firsts = results.map((r) => r.firstAttemptAt).filter((at) => at > 0);
    const lasts = results.map((r) => r.lastEstablishedAt).filter((at) => at > 0);
    const established = sumOf(results.map((r) => r.established));
    const ms = lasts.length === 0 ? Number.NaN : Math.max(...lasts) - Math.min(...firsts);
    return {
      attempted: sumOf(results.map((r) => r.attempted)),
      established,
      retried: sumOf(results.map((r) => r.retried)),
      errors: sumCounts(results.map((r) => r.errors)),
      ms,
      connectsPerS: (established * 1000) / ms,
      connect: summarize(mergeHistograms(results.map((r) => r.connectUs))),
    };
  } finally {
    stopTicker();
  }
}

export type TrafficStep = Omit<TrafficCommand, 'type' | 'startAt'> & {
  /** Processes whose CPU is read over the measured window (after the warm-up), by name. */
  readonly cpuOf?: Readonly<Record<string, number>>;
};

/** The counters of all clients' TrafficResults, summed; the latency histograms merged. */
export interface TrafficSummary extends Omit<TrafficResult, 'latencyUs' | 'ackUs' | 'loopDelayMs'> {
  /** The measured window (warm-up end to the last send), seconds. */
  readonly windowS: number;
  /** Frames that arrived in the window, per second of it. */
  readonly deliveriesPerS: number;
  readonly latency: LatencySummary;
  /** Status change sent -> its ack at the sender: the gateway's append to DEVICE_EVENTS. */
  readonly ack: LatencySummary;
  /** The worst load client's event-loop delay (p99 and max, ms). */
  readonly clientLoopDelayMs: { readonly p99: number; readonly max: number };
  readonly cpu: CpuUse | undefined;
}

const COUNTERS = [
  'statusSent',
  'statusMeasured',
  'activitySent',
  'churned',
  'reconnected',
  'deliveries',
  'arrivedInWindow',
] as const;

/** Runs one traffic step on every client; CPU is read over the measured window. */
export async function runTrafficStep(
  h: Harness,
  label: string,
  step: TrafficStep,
): Promise<TrafficSummary> {
  const clients = await h.clients();
  const { cpuOf, ...command } = step;
  const startAt = epochMs() + 500;
  const windowStart = startAt + step.warmupMs;
  const windowEnd = startAt + step.durationMs;
  const system = cpuOf === undefined ? undefined : await h.system();
  const cpu = (async () => {
    if (!system || !cpuOf) return undefined;
    await sleep(windowStart - epochMs());
    const read = measureCpu(system.servers, cpuOf);
    await sleep(windowEnd - epochMs());
    return read();
  })();
  const before = clients.progress();
  const stopTicker = startTicker(
    label,
    () => {
      const now = clients.progress();
      return `sent ${count(now.sent - before.sent)} status changes, received ${count(now.received - before.received)} deliveries`;
    },
    PROGRESS_MS,
  );
  try {
    const results = await clients.run<'traffic'>(() => ({ type: 'traffic', ...command, startAt }));
    const windowS = (windowEnd - windowStart) / 1000;
    const sums = Object.fromEntries(
      COUNTERS.map((key) => [key, sumOf(results.map((r) => r[key]))]),
    ) as Record<(typeof COUNTERS)[number], number>;
    return {
      ...sums,
      windowS,
      deliveriesPerS: sums.arrivedInWindow / windowS,
      latency: summarize(mergeHistograms(results.map((r) => r.latencyUs))),
      ack: summarize(mergeHistograms(results.map((r) => r.ackUs))),
      clientLoopDelayMs: {
        p99: Math.max(...results.map((r) => r.loopDelayMs.p99)),
        max: Math.max(...results.map((r) => r.loopDelayMs.max)),
      },
      errors: sumCounts(results.map((r) => r.errors)),
      cpu: await cpu,
    };
  } finally {
    stopTicker();
  }
}

/**
 * A measured step of status changes only (no activity, no churn), the warm-up and duration of
 * LOAD_WARMUP_S and LOAD_DURATION_S, CPU of `cpuOf` over the window.
 */
export function measureDeliveries(
  h: Harness,
  label: string,
  step: Pick<TrafficStep, 'statusPerS' | 'senders' | 'cpuOf'>,
): Promise<TrafficSummary> {
  return runTrafficStep(h, label, {
    ...step,
    activityPerS: 0,
    churnPerS: 0,
    warmupMs: h.config.warmupS * 1000,
    durationMs: h.config.durationS * 1000,
    drainMs: 3000,
    retries: 0,
  });
}

/** Every client closes all its connections (goodbye first, so the users go offline at once). */
export async function closeAll(
  h: Harness,
  goodbye = true,
): Promise<{ closed: number; forced: number; errors: Counts }> {
  const clients = await h.clients();
  const results = await clients.run<'close'>(() => ({
    type: 'close',
    goodbye,
    deadlineMs: 30_000,
  }));
  return {
    closed: sumOf(results.map((r) => r.closed)),
    forced: sumOf(results.map((r) => r.forced)),
    errors: sumCounts(results.map((r) => r.errors)),
  };
}

/** Connections the clients hold open now, by group, and what went wrong since their last answer. */
export async function countOpen(h: Harness): Promise<{ open: Counts; errors: Counts }> {
  const results = await (await h.clients()).run<'count'>(() => ({ type: 'count' }));
  return {
    open: sumCounts(results.map((r) => r.open)),
    errors: sumCounts(results.map((r) => r.errors)),
  };
}

export interface MemorySample {
  readonly rssBytes: number;
  /** `nodejs_heap_size_used_bytes` of its /metrics (NaN when it did not answer). */
  readonly heapBytes: number;
  /** `nodejs_heap_size_total_bytes`: what V8 has committed for its heap (RSS counts that). */
  readonly heapTotalBytes: number;
  /** `nodejs_external_memory_bytes`: Buffers and other memory outside the V8 heap. */
  readonly externalBytes: number;
}

/** A process's RSS (/proc) and, for a gateway, its V8 heap in use (/metrics), after a quiet moment. */
export async function sampleMemory(
  pid: number,
  gateway?: GatewayProcess,
  quietMs = 2000,
): Promise<MemorySample> {
  await sleep(quietMs);
  const metrics = await gateway?.metrics();
  return {
    rssBytes: memoryMiB(pid).rss * 1024 * 1024,
    heapBytes: metrics?.get('nodejs_heap_size_used_bytes') ?? Number.NaN,
    heapTotalBytes: metrics?.get('nodejs_heap_size_total_bytes') ?? Number.NaN,
    externalBytes: metrics?.get('nodejs_external_memory_bytes') ?? Number.NaN,
  };
}

/** `RSS 123 -> 537 MiB, V8 heap used 23 -> 164 MiB, external 3 -> 40 MiB`. */
export function describeMemory(before: MemorySample, after: MemorySample): string {
  const mib = (bytes: number) => (Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(0) : '-');
  const pair = (a: number, b: number) => `${mib(a)} -> ${mib(b)} MiB`;
  return `RSS ${pair(before.rssBytes, after.rssBytes)}, V8 heap used ${pair(before.heapBytes, after.heapBytes)} (committed ${pair(before.heapTotalBytes, after.heapTotalBytes)}), external ${pair(before.externalBytes, after.externalBytes)}`;
}

/**
 * The processes whose CPU a step reads, by name: ours (the gateways, the aggregator; nats-server
 * and postgres are always read) and the load clients, reported apart.
 */
export async function measuredProcesses(
  h: Harness,
  gateways: readonly GatewayProcess[],
): Promise<Record<string, number>> {
  const [system, clients] = await Promise.all([h.system(), h.clients()]);
  return {
    ...Object.fromEntries(gateways.map((gateway) => [gateway.name, gateway.child.pid])),
    'presence-aggregator': system.aggregator.child.pid,
    ...Object.fromEntries(clients.pids.map((pid, i) => [`load client ${i}`, pid])),
  };
}

/** CPU seconds of a window split into ours (gateways, aggregator, nats-server, postgres) and the rest. */
export function splitCpu(use: CpuUse): { ours: number; clients: number; lines: string } {
  let ours = 0;
  let clients = 0;
  const parts: string[] = [];
  for (const [name, seconds] of Object.entries(use.seconds)) {
    if (!Number.isFinite(seconds)) continue;
    if (name.startsWith('load client')) clients += seconds;
    else if (name !== 'bench') {
      ours += seconds;
      parts.push(`${name} ${seconds.toFixed(2)} s`);
    }
  }
  parts.push(`load clients ${clients.toFixed(2)} s`);
  return {
    ours,
    clients,
    lines: `machine ${(use.machineBusy * 100).toFixed(0)}% busy; ${parts.join(', ')}`,
  };
}
