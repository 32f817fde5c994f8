import { count } from '../../bench/progress.js';
import { sumCounts } from '../protocol.js';
import { describeCounts, perSecond } from '../report.js';
import { TARGETS, type Scenario } from '../scenario.js';
import { closeAll, measuredProcesses, countOpen, openGroup, measureDeliveries } from '../steps.js';
import { deliveryFigures, latencyRow } from './deliveries.js';

/**
 * Many watchers of few users on one gateway: W connections each watch the same F users, whose
 * status changes at LOAD_FANOUT_RATE / W per second; every change is W frames out of the gateway.
 */
export const fanout: Scenario = {
  name: 'fanout',
  title: (config) =>
    `fanout: ${count(config.fanoutWatchers)} watchers of the same ${config.fanoutUsers} users, one gateway`,
  knobs: (config) => ({
    LOAD_FANOUT_WATCHERS: config.fanoutWatchers,
    LOAD_FANOUT_USERS: config.fanoutUsers,
    LOAD_FANOUT_RATE: config.fanoutRate,
    LOAD_DURATION_S: config.durationS,
    LOAD_WARMUP_S: config.warmupS,
  }),
  needsSystem: true,
  async run(h) {
    const { config } = h;
    const watchers = config.fanoutWatchers;
    h.checkClientCapacity(watchers + config.fanoutUsers);
    const system = await h.system();
    const gateway = await h.gateway('fanout');
    try {
      const url = [gateway.wsUrl];
      const stars = { prefix: 'star', count: config.fanoutUsers, watch: { kind: 'none' } } as const;
      const openedStars = await openGroup(h, 'fanout stars', stars, url, { retries: 3 });
      const watch = { kind: 'group', prefix: stars.prefix, count: stars.count } as const;
      const opened = await openGroup(h, 'fanout', { prefix: 'fan', count: watchers, watch }, url, {
        retries: 3,
      });
      await system.settle();
      const changesPerS = config.fanoutRate / watchers;
      console.log(
        `  ${changesPerS.toFixed(1)} status changes/s of the watched users = ${perSecond(config.fanoutRate)} frames offered`,
      );
      const traffic = await measureDeliveries(h, 'fanout', {
        statusPerS: changesPerS,
        senders: [stars.prefix],
        cpuOf: await measuredProcesses(h, [gateway]),
      });
      const held = await countOpen(h);
      const closed = await closeAll(h);
      const errors = sumCounts([
        openedStars.errors,
        opened.errors,
        traffic.errors,
        held.errors,
        closed.errors,
      ]);
      const figures = deliveryFigures('fan-out', traffic, watchers, false);
      return {
        rows: [
          {
            figure: `fan-out frames/s from one gateway (${perSecond(config.fanoutRate)} offered)`,
            value: perSecond(traffic.deliveriesPerS),
            target: `>= ${perSecond(TARGETS.fanoutPerS)}`,
            pass: traffic.deliveriesPerS >= TARGETS.fanoutPerS,
          },
          latencyRow('change -> watcher p50', traffic.latency.p50Ms, undefined),
          latencyRow('change -> watcher p99', traffic.latency.p99Ms, undefined),
          latencyRow('change -> watcher max', traffic.latency.maxMs, undefined),
          ...figures.rows,
        ],
        notes: [
          ...figures.notes,
          `watchers still connected at the end: ${count(held.open['fan'] ?? 0)} of ${count(opened.established)}`,
          `errors: ${describeCounts(errors)}`,
        ],
      };
    } finally {
      await closeAll(h).catch(() => undefined);
      await gateway.child.stop();
      await system.settle();
    }
  },
};
