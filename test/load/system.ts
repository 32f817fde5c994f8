import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startAggregator, type AggregatorProcess } from '../bench/aggregator-process.js';
import { onCleanup } from '../bench/cleanup.js';
import { loadBenchConfig } from '../bench/config.js';
import { pollUntil } from '../bench/progress.js';
import { startBenchServers, type BenchServers } from '../bench/servers.js';
import type { LoadConfig } from './config.js';

/** What the gateways need around them: nats-server, PostgreSQL and the presence-aggregator. */
export interface System {
  readonly servers: BenchServers;
  readonly aggregator: AggregatorProcess;
  /**
   * Waits (up to a minute) until the aggregator has folded what the last scenario appended: the
   * DEVICE_EVENTS head and its folded-events counter both stand still for a second.
   */
  settle(): Promise<void>;
}

const SETTLE_POLL_MS = 500;

export async function startSystem(config: LoadConfig): Promise<System> {
  const servers = await startBenchServers((line) => console.log(`  ${line}`));
  // The bench's aggregator start-up, with this run's build, partitions, log level and log dir.
  const benchConfig = loadBenchConfig({
    PRESENCE_PARTITIONS: String(config.partitions),
    BENCH_AGGREGATOR_BUILD: config.build,
    BENCH_LOG_LEVEL: config.logLevel,
    BENCH_LOG_DIR: config.logDir,
    // LOAD_CPU_PROF profiles the aggregator too (its profile is written when it stops).
    ...(config.cpuProfileDir === undefined
      ? {}
      : { BENCH_CPU_PROF: join(config.cpuProfileDir, 'aggregator') }),
  });
  const aggregator = await startAggregator(benchConfig, servers);
  const nc = await connect({ servers: servers.natsUrl, name: 'load harness', noAsyncTraces: true });
  onCleanup('harness NATS connection', () => nc.close());
  const jsm: JetStreamManager = await jetstreamManager(nc);

  async function settle(): Promise<void> {
    let last = '';
    let quietPolls = 0;
    await pollUntil({
      what: 'the presence-aggregator to fold the appended device events',
      intervalMs: SETTLE_POLL_MS,
      stallMs: 60_000,
      timeoutMs: 60_000,
      poll: async () => {
        const [stream, folded] = await Promise.all([
          jsm.streams.info('DEVICE_EVENTS'),
          aggregator.metric('presence_aggregator_events_total'),
        ]);
        const now = `${stream.state.last_seq}/${folded}`;
        quietPolls = now === last ? quietPolls + 1 : 0;
        last = now;
        return { done: quietPolls >= 2, progress: quietPolls };
      },
    }).catch((error: unknown) => console.warn(`  (not settled: ${(error as Error).message})`));
  }

  return { servers, aggregator, settle };
}
