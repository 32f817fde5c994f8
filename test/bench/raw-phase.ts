import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { STREAMS } from '@presence/contracts';
import { measureCpu, type BenchContext, type CpuUse } from './context.js';
import { count, pollUntil, startTicker } from './progress.js';
import { publishWorkload, type PublishProgress } from './publisher.js';
import { startRawConsumer } from './raw-runner.js';

export const RAW_STREAM = 'RAW_BENCH';

export interface RawLiveResult {
  readonly events: number;
  /** First publish to last ack. */
  readonly publishMs: number;
  /** First publish to the last message consumed: the baseline for the aggregator. */
  readonly combinedMs: number;
  /** The consumers' first to last message, measured inside their process. */
  readonly consumeMs: number;
  readonly cpu: CpuUse;
}

/**
 * Phase 1, JetStream without our code: the same messages into a twin of DEVICE_EVENTS (same
 * storage settings, subjects `rawbench.<p>.<user>`), read while they are published by one ordered
 * consumer per partition in a separate process, without acks, decoding or writing anything.
 */
export async function runRawLivePhase(ctx: BenchContext): Promise<RawLiveResult> {
  const { config, workload, jsm, servers } = ctx;
  const spec = STREAMS.DEVICE_EVENTS;
  await jsm.streams.add({
    name: RAW_STREAM,
    subjects: ['rawbench.>'],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: spec.maxMsgsPerSubject === 0 ? -1 : spec.maxMsgsPerSubject,
    duplicate_window: spec.duplicateWindowMs * 1_000_000,
    num_replicas: 1,
  });
  const partitions = workload.perPartition.map((_, p) => p);
  const consumer = startRawConsumer({
    servers: servers.natsUrl,
    stream: RAW_STREAM,
    consumers: partitions.map((p) => ({
      filter: `rawbench.${p}.*`,
      count: workload.perPartition[p]!,
    })),
    decode: false,
    timeFrom: 'first-message',
  });
  try {
    const readyCpuMs = await consumer.ready;
    const cpu = measureCpu(servers);
    let publishing: () => PublishProgress = () => ({ sent: 0, acked: 0, seqs: new Uint32Array(0) });
    const stopTicker = startTicker('raw', () => {
      const { acked } = publishing();
      return `published ${count(acked)} / ${count(workload.count)}, consumed ${count(consumer.consumed())}`;
    });
    try {
      const published = await publishWorkload(ctx.nc, workload, {
        subjectOfUser: workload.users.map(
          (user, u) => `rawbench.${workload.partitionOfUser[u]}.${user}`,
        ),
        maxInFlight: config.maxInFlight,
        stallMs: config.stallS * 1000,
        onStart: (progress) => (publishing = progress),
      });
      let finished = false;
      void consumer.done.then(
        () => (finished = true),
        () => (finished = true),
      );
      await pollUntil({
        what: 'the raw consumers',
        intervalMs: 20,
        stallMs: config.stallS * 1000,
        timeoutMs: config.timeoutS * 1000,
        poll: async () => ({ done: finished, progress: consumer.consumed() }),
      });
      const done = await consumer.done;
      const used = cpu();
      return {
        events: workload.count,
        publishMs: published.finishedAt - published.startedAt,
        combinedMs: done.arrivedAt - published.startedAt,
        consumeMs: done.activeMs,
        cpu: {
          ...used,
          seconds: { ...used.seconds, 'raw consumer': (done.cpuMs - readyCpuMs) / 1000 },
        },
      };
    } finally {
      stopTicker();
    }
  } finally {
    await consumer.stop();
    await jsm.streams.delete(RAW_STREAM).catch(() => undefined);
  }
}
