import { count } from '../../bench/progress.js';
import { addCounts, type Counts } from '../protocol.js';
import { describeCounts, perSecond, type Row } from '../report.js';
import { TARGETS, type Scenario } from '../scenario.js';
import { closeAll, measuredProcesses, measureDeliveries, openGroup } from '../steps.js';
import { deliveryFigures, latencyRow } from './deliveries.js';

/**
 * The standard workload through the whole system: U users on a ring, each watched by the K
 * before it; status changes at LOAD_RATE / K per second (`status.set` from the user's device,
 * its send time in the text), timed to the `presence.changed` frame at every watcher.
 */
export const latency: Scenario = {
  name: 'latency',
  title: (config) =>
    `latency: ${count(config.users)} users on a ring, each watched by ${config.watch}, at ${config.rates.map((r) => count(r)).join(' and ')} deliveries/s`,
  knobs: (config) => ({
    LOAD_USERS: config.users,
    LOAD_WATCH: config.watch,
    LOAD_RATE: config.rates.join(','),
    LOAD_DURATION_S: config.durationS,
    LOAD_WARMUP_S: config.warmupS,
  }),
  needsSystem: true,
  async run(h) {
    const { config } = h;
    const k = Math.min(config.watch, config.users - 1);
    if (k < 1) throw new Error('latency: needs LOAD_WATCH >= 1 and LOAD_USERS >= 2');
    h.checkClientCapacity(config.users);
    const system = await h.system();
    const gateway = await h.gateway('latency');
    try {
      const ring = { prefix: 'ring', count: config.users, watch: { kind: 'ring', k } } as const;
      const opened = await openGroup(h, 'latency', ring, [gateway.wsUrl], { retries: 3 });
      const cpuOf = await measuredProcesses(h, [gateway]);
      const rows: Row[] = [];
      const notes: string[] = [];
      const errors: Counts = { ...opened.errors };
      for (const rate of config.rates) {
        await system.settle();
        const label = `${count(rate)} deliveries/s`;
        console.log(`  ${label}: ${count(rate / k)} status changes/s`);
        const traffic = await measureDeliveries(h, label, {
          statusPerS: rate / k,
          senders: [ring.prefix],
          cpuOf,
        });
        addCounts(errors, traffic.errors);
        const target = TARGETS.latencyMs[rate] ?? {};
        const figures = deliveryFigures(label, traffic, k, true);
        rows.push(
          { figure: `${label}: achieved`, value: perSecond(traffic.deliveriesPerS) },
          latencyRow(`${label}: change -> watcher p50`, traffic.latency.p50Ms, target.p50),
          latencyRow(`${label}: change -> watcher p99`, traffic.latency.p99Ms, target.p99),
          latencyRow(`${label}: change -> watcher max`, traffic.latency.maxMs, undefined),
          ...figures.rows,
        );
        notes.push(...figures.notes);
      }
      addCounts(errors, (await closeAll(h)).errors);
      notes.push(`errors: ${describeCounts(errors)}`);
      return { rows, notes };
    } finally {
      await closeAll(h).catch(() => undefined);
      await gateway.child.stop();
      await system.settle();
    }
  },
};
