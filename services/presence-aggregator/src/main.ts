import { runService, type CommandContext } from '@presence/runtime';
import { presenceAdminService } from './adapters/admin-grpc.js';
import { createAggregatorMetrics } from './adapters/metrics.js';
import { startCapMonitor } from './adapters/cap-monitor.js';
import { watchGateways } from './adapters/gateway-liveness.js';
import { createPartitionFeed } from './adapters/partition-feed.js';
import { startPartitionOwnership } from './adapters/partition-leases.js';
import { startPartitionWorker } from './adapters/partition-worker.js';
import { servePresenceAt } from './adapters/presence-at.js';
import { rebuildProjections } from './adapters/rebuild.js';
import { startWorkspaceFollower } from './adapters/workspace-follower.js';
import { loadConfig, type AggregatorConfig } from './config.js';
import { migrations } from './read-models/migrations.js';
import type { PresenceDatabase } from './read-models/tables.js';

type Context = CommandContext<AggregatorConfig, PresenceDatabase>;

const SCHEMA = 'presence';

const rebuild = (ctx: Context) =>
  rebuildProjections({
    nc: ctx.nc,
    db: ctx.db,
    databaseUrl: ctx.config.databaseUrl,
    schema: SCHEMA,
    partitions: ctx.config.partitions,
    threads: ctx.config.rebuildThreads,
    logger: ctx.logger,
    logLevel: ctx.config.logLevel,
  });

await runService<AggregatorConfig, PresenceDatabase>({
  name: 'presence-aggregator',
  loadConfig,
  streams: ['DEVICE_EVENTS', 'PRESENCE'],
  database: { schema: SCHEMA, migrations },
  commands: {
    /** `rebuild`: replays DEVICE_EVENTS into fresh tables and swaps them in, then exits. */
    rebuild: async (ctx) => {
      const result = await rebuild(ctx);
      process.stdout.write(
        `${JSON.stringify({ rebuilt: 'user_presence', events: result.eventsReplayed, rows: result.rows, position: String(result.position) })}\n`,
      );
    },
  },
  start: async (ctx) => {
    const { config, logger } = ctx;
    const metrics = createAggregatorMetrics(ctx.registry);
    const clock = Date.now;
    const workspace = await startWorkspaceFollower({
      nc: ctx.nc,
      js: ctx.js,
      logger,
      minIdleTimeoutS: config.minIdleTimeoutS,
    });
    ctx.lifecycle.onShutdown('workspace', () => workspace.stop());
    const gateways = await watchGateways({
      js: ctx.js,
      logger,
      timeoutMs: config.gatewayLivenessTimeoutMs,
      clock,
    });
    ctx.lifecycle.onShutdown('gateway liveness', () => gateways.stop());
    const feed = createPartitionFeed({ nc: ctx.nc, logger });
    ctx.lifecycle.onShutdown('device events', () => feed.stop());
    const ownership = await startPartitionOwnership({
      js: ctx.js,
      logger,
      instanceId: ctx.instanceId,
      candidates: config.candidatePartitions,
      leaseTtlMs: config.leaseTtlMs,
      renewMs: Math.max(250, Math.floor(config.leaseTtlMs / 3)),
      start: (partition) =>
        startPartitionWorker({
          nc: ctx.nc,
          js: ctx.js,
          db: ctx.db,
          partition,
          logger,
          metrics,
          workspace,
          gateways,
          feed,
          clock,
          timerTickMs: config.timerTickMs,
          snapshotEvery: config.snapshotEvery,
          commitIntervalMs: config.commitIntervalMs,
          partitions: config.partitions,
        }),
    });
    ctx.lifecycle.onShutdown('partitions', () => ownership.stop());
    logger.info(
      { partitions: ownership.owned() },
      'folding DEVICE_EVENTS of the partitions this replica owns',
    );
    const cap = startCapMonitor({
      workspace,
      connections: () => gateways.connections(),
      isLeader: () => ownership.owned().includes(0),
      logger,
      intervalMs: 1000,
    });
    ctx.lifecycle.onShutdown('connection cap', () => cap.stop());
    const presenceAtQueries = servePresenceAt({
      nc: ctx.nc,
      db: ctx.db,
      partitions: config.partitions,
      logger,
    });
    ctx.lifecycle.onShutdown('presence-at queries', () => presenceAtQueries.stop());
    return {
      grpc: [
        presenceAdminService({
          workspace,
          limits: { minIdleTimeoutS: config.minIdleTimeoutS },
          connections: () => gateways.connections(),
          rebuild: () => rebuild(ctx),
          logger,
        }),
      ],
    };
  },
});
