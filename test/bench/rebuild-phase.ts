import { subjects } from '@presence/contracts';
import { runRebuild, type RebuildRun } from './aggregator-process.js';
import type { NodeChild } from './child-process.js';
import { measureCpu, partitionHeads, type BenchContext, type CpuUse } from './context.js';
import { reapedChildrenCpuSeconds } from './proc-stats.js';
import { count, startTicker } from './progress.js';
import { startRawConsumer } from './raw-runner.js';

export interface ReplayResult {
  /** Ordered consumers it used (1, or one per partition). */
  readonly consumers: number;
  readonly events: number;
  /** Inside the consumer's process: from creating the consumer to the last message. */
  readonly ms: number;
  /** From spawning the process to its `done` line. */
  readonly wallMs: number;
  /** Messages per event kind, when decoding. */
  readonly kinds: Readonly<Record<string, number>>;
  readonly cpu: CpuUse;
}

export interface RebuildResult {
  readonly events: number;
  readonly rows: number;
  /** The replay inside the process (first `rebuild` log line to the result line), when logged. */
  readonly ms: number | undefined;
  readonly wallMs: number;
  readonly cpu: CpuUse;
}

export type ReplayKind = 'whole' | 'whole+decode' | 'partitions';

/**
 * Phase 3a, without our code: ordered consumers read DEVICE_EVENTS from sequence 1 to its last
 * message: one over the whole stream (`whole`, the rebuild's way; `whole+decode` also decodes each
 * payload), or one per partition filter (`partitions`, the live aggregator's way of catching up).
 */
export async function runRawReplay(ctx: BenchContext, kind: ReplayKind): Promise<ReplayResult> {
  const info = await ctx.jsm.streams.info('DEVICE_EVENTS');
  const heads = await partitionHeads(ctx);
  const spawnedAt = performance.now();
  const consumer = startRawConsumer({
    servers: ctx.servers.natsUrl,
    stream: 'DEVICE_EVENTS',
    consumers:
      kind === 'partitions'
        ? heads.map((endSeq, p) => ({ filter: subjects.devicePartition(p), endSeq }))
        : [{ endSeq: info.state.last_seq }],
    decode: kind === 'whole+decode',
    timeFrom: 'start',
  });
  const cpu = measureCpu(ctx.servers);
  const stopTicker = startTicker(
    `replay (${kind})`,
    () => `consumed ${count(consumer.consumed())}`,
  );
  try {
    const readyCpuMs = await consumer.ready;
    const done = await withTimeout(consumer.done, ctx.config.timeoutS * 1000, `replay (${kind})`);
    const used = cpu();
    return {
      consumers: kind === 'partitions' ? heads.length : 1,
      events: done.consumed,
      ms: done.activeMs,
      wallMs: done.arrivedAt - spawnedAt,
      kinds: done.kinds,
      cpu: {
        ...used,
        seconds: { ...used.seconds, 'raw consumer': (done.cpuMs - readyCpuMs) / 1000 },
      },
    };
  } finally {
    stopTicker();
    await consumer.stop();
  }
}

/** Phase 3b, ours: `presence-aggregator rebuild` replays DEVICE_EVENTS into fresh tables. */
export async function runRebuildPhase(ctx: BenchContext): Promise<RebuildResult> {
  let command: NodeChild | undefined;
  const cpu = measureCpu(ctx.servers);
  // The command is the only child that exits meanwhile: its CPU lands in our cutime + cstime.
  const reapedBefore = reapedChildrenCpuSeconds();
  const stopTicker = startTicker('rebuild', () => 'running');
  try {
    const run: RebuildRun = await withTimeout(
      runRebuild(ctx.config, ctx.servers, (started) => (command = started)),
      ctx.config.timeoutS * 1000,
      'rebuild',
    );
    const commandCpu = reapedChildrenCpuSeconds() - reapedBefore;
    if (run.code !== 0 || run.result === undefined)
      throw new Error(`rebuild failed (exit ${run.code}):\n${run.output.slice(-6000)}`);
    const used = cpu();
    return {
      events: run.result.events,
      rows: run.result.rows,
      ms: run.inProcessMs,
      wallMs: run.wallMs,
      cpu: { ...used, seconds: { ...used.seconds, 'rebuild process': commandCpu } },
    };
  } finally {
    stopTicker();
    await command?.stop();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
