import { jetstream } from '@nats-io/jetstream';
import { subjects } from '@presence/contracts';
import { startAggregator, type AggregatorProcess } from './aggregator-process.js';
import { measureCpu, partitionHeads, type BenchContext, type CpuUse } from './context.js';
import { heartbeatGateways } from './gateway-heartbeats.js';
import { connectionTraffic, type ConnectionTraffic } from './nats-monitor.js';
import { memoryMiB } from './proc-stats.js';
import { count, pollUntil, startTicker } from './progress.js';
import { publishWorkload, type PublishProgress, type PublishResult } from './publisher.js';
import { openReadModel, type ReadModel } from './read-model.js';
import { GATEWAYS } from './user-script.js';

export interface LiveResult {
  readonly events: number;
  /** First publish until every partition's checkpoint reached its last published event. */
  readonly ms: number;
  readonly publishMs: number;
  /** Until the checkpoints also covered the facts the aggregator appended itself (timers). */
  readonly settledMs: number | undefined;
  /** DEVICE_EVENTS messages the aggregator appended (timer facts), PRESENCE messages it published. */
  readonly appendedFacts: number;
  readonly presenceMessages: number;
  readonly rows: number;
  /** From its /metrics, when exposed: events it could not read, batches it retried. */
  readonly rejected: number | undefined;
  readonly batchFailures: number | undefined;
  readonly aggregatorCpuS: number;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  readonly cpu: CpuUse;
  /** The aggregator's NATS traffic (nats-server /connz), when it could be read. */
  readonly traffic: ConnectionTraffic | undefined;
  readonly exitCode: number | null;
}

/**
 * Phase 2, ours: the aggregator process folds the workload from DEVICE_EVENTS while it is being
 * published; the clock stops at the first 200 ms poll that finds every partition's checkpoint at
 * (or past) the last sequence we appended to it.
 */
export async function runLivePhase(ctx: BenchContext): Promise<LiveResult> {
  const { config, workload, servers } = ctx;
  const aggregator = await startAggregator(config, servers);
  const heartbeats = await heartbeatGateways(
    jetstream(ctx.nc),
    GATEWAYS,
    Math.round(workload.activeUsers / GATEWAYS.length),
  );
  const readModel = openReadModel(servers.databaseUrl, config.partitions);
  const cpu = measureCpu(servers, { aggregator: aggregator.child.pid });
  let exitCode: number | null | undefined;
  void aggregator.child.exited.then((code) => (exitCode = code));
  const failure = () =>
    exitCode === undefined
      ? undefined
      : new Error(`presence-aggregator exited (${exitCode}):\n${aggregator.child.output()}`);

  let publishing: () => PublishProgress = () => ({ sent: 0, acked: 0, seqs: new Uint32Array(0) });
  let published: PublishResult | undefined;
  let publishError: unknown;
  let checkpoints = workload.perPartition.map(() => 0);
  const folded = () => foldedEvents(ctx, publishing().seqs, checkpoints);
  const stopTicker = startTicker('ours', () => {
    const { acked } = publishing();
    return `published ${count(acked)} / ${count(workload.count)}, checkpoints cover ${count(folded())}`;
  });
  try {
    const publishingDone = publishWorkload(ctx.nc, workload, {
      subjectOfUser: workload.users.map((user, u) =>
        subjects.device(workload.partitionOfUser[u]!, user),
      ),
      maxInFlight: config.maxInFlight,
      stallMs: config.stallS * 1000,
      onStart: (progress) => (publishing = progress),
    }).then(
      (result) => (published = result),
      (error: unknown) => (publishError = error),
    );
    const doneAt = await pollUntil({
      what: 'the checkpoints to reach the published events',
      intervalMs: 200,
      stallMs: config.stallS * 1000,
      timeoutMs: config.timeoutS * 1000,
      context: () => `\naggregator output (tail):\n${aggregator.child.output().slice(-4000)}`,
      poll: async () => {
        if (publishError !== undefined) throw publishError;
        const error = failure();
        if (error) throw error;
        checkpoints = await readModel.checkpoints();
        const done =
          published !== undefined &&
          published.lastSeqByPartition.every((last, p) => checkpoints[p]! >= last);
        return { done, progress: checkpoints.reduce((a, b) => a + b, 0) + publishing().acked };
      },
    });
    await publishingDone;
    const result = published!;
    console.log(
      `  checkpoints reached the published events after ${((doneAt - result.startedAt) / 1000).toFixed(2)} s; waiting up to 30 s for them to cover the aggregator's own facts`,
    );
    const settledAt = await settle(ctx, readModel).catch(() => undefined);
    return await summarize(ctx, aggregator, readModel, {
      result,
      doneAt,
      settledAt,
      cpu: cpu(),
    });
  } finally {
    stopTicker();
    await aggregator.child.stop();
    await heartbeats.stop();
  }
}

/** Events we published whose sequence is at or below their partition's checkpoint. */
function foldedEvents(ctx: BenchContext, seqs: Uint32Array, checkpoints: number[]): number {
  const { workload } = ctx;
  let n = 0;
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    if (seq > 0 && seq <= checkpoints[workload.partitionOfUser[workload.userAt[i]!]!]!) n++;
  }
  return n;
}

/** Waits (up to 30 s) until the checkpoints cover each partition's head, timer facts included. */
async function settle(ctx: BenchContext, readModel: ReadModel): Promise<number> {
  return pollUntil({
    what: 'the checkpoints to reach the stream head',
    intervalMs: 200,
    stallMs: 30_000,
    timeoutMs: 30_000,
    poll: async () => {
      const heads = await partitionHeads(ctx);
      const checkpoints = await readModel.checkpoints();
      return { done: heads.every((head, p) => checkpoints[p]! >= head), progress: 0 };
    },
  });
}

async function summarize(
  ctx: BenchContext,
  aggregator: AggregatorProcess,
  readModel: ReadModel,
  run: {
    result: PublishResult;
    doneAt: number;
    settledAt: number | undefined;
    cpu: CpuUse;
  },
): Promise<LiveResult> {
  const { result, doneAt, settledAt, cpu } = run;
  const memory = memoryMiB(aggregator.child.pid);
  const [traffic, rejected, batchFailures, rows, deviceEvents, presence] = await Promise.all([
    connectionTraffic(ctx.servers.natsMonitorUrl, 'presence-aggregator'),
    aggregator.metric('presence_aggregator_events_rejected_total'),
    aggregator.metric('presence_aggregator_batch_failures_total'),
    readModel.rows(),
    ctx.jsm.streams.info('DEVICE_EVENTS'),
    ctx.jsm.streams.info('PRESENCE').catch(() => undefined),
  ]);
  const exitCode = await aggregator.child.stop();
  return {
    events: ctx.workload.count,
    ms: doneAt - result.startedAt,
    publishMs: result.finishedAt - result.startedAt,
    settledMs: settledAt === undefined ? undefined : settledAt - result.startedAt,
    appendedFacts: deviceEvents.state.messages - ctx.workload.count,
    presenceMessages: presence?.state.messages ?? 0,
    rows,
    rejected,
    batchFailures,
    aggregatorCpuS: cpu.seconds['aggregator'] ?? Number.NaN,
    rssMiB: memory.rss,
    peakRssMiB: memory.peak,
    cpu,
    traffic,
    exitCode,
  };
}
