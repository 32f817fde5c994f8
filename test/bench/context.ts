import type { JetStreamManager } from '@nats-io/jetstream';
import { subjects } from '@presence/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BenchConfig } from './config.js';
import { cpuSeconds, machineCpu } from './proc-stats.js';
import type { BenchServers } from './servers.js';
import type { Workload } from './workload.js';

/** What every phase gets. */
export interface BenchContext {
  readonly config: BenchConfig;
  readonly servers: BenchServers;
  readonly workload: Workload;
  /** The bench's own connection (publishing, stream admin). */
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
}

/** CPU seconds per process during a phase, and how busy the whole machine was. */
export interface CpuUse {
  /** CPU seconds by name (`nats-server`, `postgres`, `bench` (the publisher), ...). */
  readonly seconds: Readonly<Record<string, number>>;
  /** Busy share of all cores over the phase, 0..1. */
  readonly machineBusy: number;
}

/**
 * Starts measuring; the returned function reads the CPU used since. `extra` names the phase's
 * own processes (the aggregator, a raw consumer), read while they still run.
 */
export function measureCpu(
  servers: BenchServers,
  extra: Readonly<Record<string, number>> = {},
): () => CpuUse {
  const readers: Record<string, () => number> = {
    bench: () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    },
    'nats-server': () => cpuSeconds(servers.natsPid),
    postgres: () => cpuSeconds(servers.postgresPid, true),
  };
  for (const [name, pid] of Object.entries(extra)) readers[name] = () => cpuSeconds(pid);
  const before = Object.fromEntries(Object.entries(readers).map(([k, read]) => [k, read()]));
  const machineBefore = machineCpu();
  return () => {
    const machine = machineCpu();
    const seconds = Object.fromEntries(
      Object.entries(readers).map(([k, read]) => [k, read() - before[k]!]),
    );
    const total = machine.total - machineBefore.total;
    return { seconds, machineBusy: total > 0 ? (machine.busy - machineBefore.busy) / total : 0 };
  };
}

/** The last DEVICE_EVENTS sequence of each partition's subjects (0 when it has none). */
export function partitionHeads(ctx: BenchContext): Promise<number[]> {
  return Promise.all(
    ctx.workload.perPartition.map((_, p) =>
      ctx.jsm.streams
        .getMessage('DEVICE_EVENTS', { last_by_subj: subjects.devicePartition(p) })
        .then((m) => m?.seq ?? 0),
    ),
  );
}
