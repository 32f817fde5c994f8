import { measureCpu } from '../../bench/context.js';
import { count } from '../../bench/progress.js';
import { describeLatency } from '../histograms.js';
import { sumCounts } from '../protocol.js';
import { describeCounts, micros, perSecond } from '../report.js';
import { TARGETS, type Scenario } from '../scenario.js';
import { closeAll, measuredProcesses, openGroup, splitCpu } from '../steps.js';

/**
 * A fresh gateway takes N connections as fast as the load clients can open them (LOAD_IN_FLIGHT
 * each): the JWT check, the DeviceConnected append, the own-view snapshot, then a watch of K users.
 */
export const connectRate: Scenario = {
  name: 'connect-rate',
  title: (config) =>
    `connect-rate: ${count(config.connectConnections)} connections into one fresh gateway`,
  knobs: (config) => ({
    LOAD_CONNECT_CONNECTIONS: config.connectConnections,
    LOAD_WATCH: config.watch,
    LOAD_IN_FLIGHT: config.inFlight,
  }),
  needsSystem: true,
  async run(h) {
    const { config } = h;
    const n = config.connectConnections;
    h.checkClientCapacity(n);
    const system = await h.system();
    const gateway = await h.gateway('connect-rate');
    try {
      const readCpu = measureCpu(system.servers, await measuredProcesses(h, [gateway]));
      const opened = await openGroup(
        h,
        'connect-rate',
        { prefix: 'rate', count: n, watch: { kind: 'ring', k: config.watch } },
        [gateway.wsUrl],
        { retries: 0 },
      );
      const cpu = splitCpu(readCpu());
      const closed = await closeAll(h);
      return {
        rows: [
          {
            figure: 'authenticated connects/s (connect + watch), one gateway',
            value: perSecond(opened.connectsPerS),
            ...(h.baseline ? { baseline: `${perSecond(h.baseline.connectsPerS)} (raw ws)` } : {}),
            target: `>= ${perSecond(TARGETS.connectsPerS)}`,
            pass: opened.connectsPerS >= TARGETS.connectsPerS,
          },
          {
            figure: 'connections established',
            value: `${count(opened.established)} of ${count(n)}`,
          },
          {
            figure: 'connect time (attempt -> hello + watch ack)',
            value: describeLatency(opened.connect),
          },
          {
            figure: 'CPU per connect (gateway, aggregator, nats-server, postgres)',
            value: micros((cpu.ours * 1e6) / opened.established),
          },
        ],
        notes: [
          `CPU from the open command to the last connection: ${cpu.lines}`,
          `errors: ${describeCounts(sumCounts([opened.errors, closed.errors]))}`,
        ],
      };
    } finally {
      await closeAll(h).catch(() => undefined);
      await gateway.child.stop();
      await system.settle();
    }
  },
};
