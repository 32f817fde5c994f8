import { runService, type CommandContext } from '@presence/runtime';
import { presenceAdminService } from './adapters/admin-grpc.js';
import { createAggregatorMetrics } from './adapters/metrics.js';
import { startPartitionWorker } from './adapters/partition-worker.js';
import { rebuildProjections } from './adapters/rebuild.js';
import { startWorkspaceFollower } from './adapters/workspace-follower.js';
import { loadConfig, type AggregatorConfig } from './config.js';
import { migrations } from './read-models/migrations.js';
import type { PresenceDatabase } from './read-models/tables.js';

type Context = CommandContext<AggregatorConfig, PresenceDatabase>;

const SCHEMA = 'presence';

const rebuild = (ctx: Context) =>
  rebuildProjections({
    js: ctx.js,
    db: ctx.db,
    schema: SCHEMA,
    partitions: ctx.config.partitions,
    logger: ctx.logger,
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
    const workspace = await startWorkspaceFollower({
      nc: ctx.nc,
      js: ctx.js,
      logger,
      minIdleTimeoutS: config.minIdleTimeoutS,
    });
    ctx.lifecycle.onShutdown('workspace', () => workspace.stop());
    const partitions = Array.from({ length: config.partitions }, (_, p) => p);
    const workers = await Promise.all(
      partitions.map((partition) =>
        startPartitionWorker({
          js: ctx.js,
          db: ctx.db,
          partition,
          logger,
          metrics,
          workspace,
          clock: Date.now,
          timerTickMs: config.timerTickMs,
        }),
      ),
    );
    logger.info(
      { partitions: workers.length },
      'folding DEVICE_EVENTS from each partition checkpoint',
    );
    ctx.lifecycle.onShutdown('partitions', async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
    });
    return {
      grpc: [
        presenceAdminService({
          workspace,
          limits: { minIdleTimeoutS: config.minIdleTimeoutS },
          connections: () => 0,
          rebuild: () => rebuild(ctx),
          logger,
        }),
      ],
    };
  },
});
