import { count } from '../../bench/progress.js';
import { describeLatency } from '../histograms.js';
import { sumCounts } from '../protocol.js';
import { describeCounts, kb, perSecond, totalOf } from '../report.js';
import { TARGETS, type Scenario } from '../scenario.js';
import {
  closeAll,
  measuredProcesses,
  countOpen,
  describeMemory,
  openGroup,
  runTrafficStep,
  sampleMemory,
  splitCpu,
} from '../steps.js';
import { HOLD_ACTIVITY_EVERY_S, HOLD_STATUS_PER_S, heldTarget, memoryRows } from './hold.js';

/**
 * Several gateway processes on this machine hold one ring of connections together (a user's
 * watchers sit on other gateways too, so changes cross through NATS).
 */
export const multi: Scenario = {
  name: 'multi',
  title: (config) =>
    `multi: ${config.gateways} gateways, ${count(config.multiConnections)} connections together`,
  knobs: (config) => ({
    LOAD_GATEWAYS: config.gateways,
    LOAD_MULTI_CONNECTIONS: config.multiConnections,
    LOAD_HOLD_S: config.holdS,
    LOAD_WATCH: config.watch,
  }),
  needsSystem: true,
  async run(h) {
    const { config } = h;
    const n = config.multiConnections;
    h.checkClientCapacity(n);
    const system = await h.system();
    const gateways = await h.gateways('multi', config.gateways);
    try {
      const before = await Promise.all(gateways.map((g) => sampleMemory(g.child.pid, g)));
      const opened = await openGroup(
        h,
        'multi',
        { prefix: 'multi', count: n, watch: { kind: 'ring', k: config.watch } },
        gateways.map((g) => g.wsUrl),
        { retries: 3 },
      );
      await system.settle();
      console.log(`  holding for ${config.holdS} s (activity, status changes)`);
      const traffic = await runTrafficStep(h, 'multi', {
        statusPerS: HOLD_STATUS_PER_S,
        senders: ['multi'],
        activityPerS: n / HOLD_ACTIVITY_EVERY_S,
        churnPerS: 0,
        warmupMs: 0,
        durationMs: config.holdS * 1000,
        drainMs: 2000,
        retries: 3,
        cpuOf: await measuredProcesses(h, gateways),
      });
      const held = await countOpen(h);
      const perGateway = await Promise.all(
        gateways.map(async (g, i) => {
          const connections = (await g.metrics())?.get('presence_gateway_connections') ?? 0;
          const after = await sampleMemory(g.child.pid, g, i === 0 ? 2000 : 0);
          return {
            connections,
            rss: (after.rssBytes - before[i]!.rssBytes) / connections,
            heap: (after.heapBytes - before[i]!.heapBytes) / connections,
            memory: `${g.name}: ${count(connections)} connections, ${describeMemory(before[i]!, after)}`,
          };
        }),
      );
      const closed = await closeAll(h);
      const errors = sumCounts([opened.errors, traffic.errors, held.errors, closed.errors]);
      const holding = totalOf(held.open);
      const target = heldTarget(n, TARGETS.heldAll);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const cpu = traffic.cpu && splitCpu(traffic.cpu);
      return {
        rows: [
          {
            figure: `connections held by ${gateways.length} gateways`,
            value: count(holding),
            target: target.label,
            pass: holding >= target.min,
          },
          {
            figure: 'per gateway (its /metrics)',
            value: perGateway.map((g) => count(g.connections)).join(' + '),
          },
          ...memoryRows(
            'mean of the gateways: ',
            mean(perGateway.map((g) => g.rss)),
            mean(perGateway.map((g) => g.heap)),
            h.baseline?.bytesPerConnection,
          ),
          { figure: 'connects/s, all gateways', value: perSecond(opened.connectsPerS) },
          {
            figure: 'status change -> watcher, while held',
            value: describeLatency(traffic.latency),
          },
        ],
        notes: [
          `RSS delta / N per gateway: ${perGateway.map((g) => kb(g.rss)).join(', ')}`,
          ...perGateway.map((g) => g.memory),
          `while held (${config.holdS} s): ${count(traffic.statusSent)} status changes, ${count(traffic.activitySent)} activity frames, ${count(traffic.deliveries)} deliveries`,
          ...(cpu ? [`CPU while held: ${cpu.lines}`] : []),
          `connect (attempt -> hello + watch ack): ${describeLatency(opened.connect)}; ${count(opened.retried)} retried after a refusal`,
          `errors: ${describeCounts(errors)}`,
        ],
      };
    } finally {
      await closeAll(h).catch(() => undefined);
      await Promise.all(gateways.map((g) => g.child.stop()));
      await system.settle();
    }
  },
};
