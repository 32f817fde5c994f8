import { statSync } from 'node:fs';
import { count } from '../../bench/progress.js';
import type { GatewayProcess } from '../gateway-process.js';
import { summarizeHeapSnapshot, takeHeapSnapshot } from '../heap-snapshot.js';
import { describeLatency } from '../histograms.js';
import { probe } from '../metrics.js';
import { sumCounts } from '../protocol.js';
import { describeCounts, kb, perSecond, totalOf, type Row } from '../report.js';
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

/** Larger snapshots do not fit in one JavaScript string. */
const MAX_SNAPSHOT_BYTES = 400 * 2 ** 20;

/** While held: status changes and goodbye-and-reconnect cycles per second; activity per connection. */
export const HOLD_STATUS_PER_S = 50;
export const HOLD_CHURN_PER_S = 10;
export const HOLD_ACTIVITY_EVERY_S = 60;

/** The target of a connection count, or all of them when a quick run asks for fewer. */
export function heldTarget(asked: number, target: number): { label: string; min: number } {
  return asked >= target
    ? { label: `>= ${count(target)}`, min: target }
    : { label: `all ${count(asked)} (>= ${count(target)} at full size)`, min: asked };
}

/** Which objects fill the gateway's heap (LOAD_HEAP_SNAPSHOT=1), and its live size after that GC. */
async function snapshotNotes(
  gateway: GatewayProcess,
  dir: string,
  connections: number,
): Promise<{ liveHeapBytes: number; lines: string[] } | undefined> {
  console.log('  writing a heap snapshot of the gateway');
  const file = await takeHeapSnapshot(gateway, dir);
  if (file === undefined) return undefined;
  const live = await sampleMemory(gateway.child.pid, gateway, 0);
  const lines =
    statSync(file).size > MAX_SNAPSHOT_BYTES
      ? [`heap snapshot ${file} (too large to summarize here)`]
      : summarizeHeapSnapshot(file, connections);
  return { liveHeapBytes: live.heapBytes, lines };
}

/** The memory rows of one gateway (or the mean of several) against the raw ws baseline. */
export function memoryRows(
  prefix: string,
  rssPerConnection: number,
  heapPerConnection: number,
  rawPerConnection: number | undefined,
): Row[] {
  return [
    {
      figure: `${prefix}RSS delta / N`,
      value: kb(rssPerConnection),
      baseline: rawPerConnection === undefined ? 'not run' : `${kb(rawPerConnection)} (raw ws)`,
      target: `<= ${kb(TARGETS.bytesPerConnection)}`,
      pass: rssPerConnection <= TARGETS.bytesPerConnection,
    },
    { figure: `${prefix}V8 heap used delta / N`, value: kb(heapPerConnection) },
  ];
}

/**
 * One gateway holds N authenticated connections, each watching K users of a ring, while they
 * live (activity, status changes, churn); more connections are tried past its admission cap.
 */
export const hold: Scenario = {
  name: 'hold',
  title: (config) =>
    `hold: one gateway, ${count(config.connections)} connections watching ${config.watch} users each`,
  knobs: (config) => ({
    LOAD_CONNECTIONS: config.connections,
    LOAD_HOLD_EXTRA: config.holdExtra,
    LOAD_HOLD_S: config.holdS,
    LOAD_WATCH: config.watch,
  }),
  needsSystem: true,
  async run(h) {
    const { config } = h;
    const n = config.connections;
    h.checkClientCapacity(n + config.holdExtra);
    const system = await h.system();
    const gateway = await h.gateway('hold');
    try {
      const before = await sampleMemory(gateway.child.pid, gateway);
      const ring = { kind: 'ring', k: config.watch } as const;
      const url = [gateway.wsUrl];
      const opened = await openGroup(h, 'hold', { prefix: 'hold', count: n, watch: ring }, url, {
        retries: 3,
      });
      const over = await openGroup(
        h,
        'hold over the cap',
        { prefix: 'hold-over', count: config.holdExtra, watch: { kind: 'none' } },
        url,
        { retries: 0 },
      );
      const [health, metrics] = await Promise.all([
        probe(`${gateway.httpUrl}/healthz`),
        probe(`${gateway.httpUrl}/metrics`),
      ]);
      await system.settle();
      console.log(`  holding for ${config.holdS} s (activity, status changes, churn)`);
      const traffic = await runTrafficStep(h, 'hold', {
        statusPerS: HOLD_STATUS_PER_S,
        senders: ['hold'],
        activityPerS: n / HOLD_ACTIVITY_EVERY_S,
        churnPerS: HOLD_CHURN_PER_S,
        warmupMs: 0,
        durationMs: config.holdS * 1000,
        drainMs: 3000,
        retries: 3,
        cpuOf: await measuredProcesses(h, [gateway]),
      });
      const held = await countOpen(h);
      const gatewaySays = (await gateway.metrics())?.get('presence_gateway_connections');
      const after = await sampleMemory(gateway.child.pid, gateway);
      const holding = totalOf(held.open);
      const snapshot = config.heapSnapshot
        ? await snapshotNotes(gateway, config.logDir, holding)
        : undefined;
      const closed = await closeAll(h);
      const errors = sumCounts([opened.errors, traffic.errors, held.errors, closed.errors]);
      const target = heldTarget(n, TARGETS.heldOneGateway);
      const refused = over.attempted - over.established;
      const answered = health.status === 200 && metrics.status === 200;
      const cpu = traffic.cpu && splitCpu(traffic.cpu);
      return {
        rows: [
          {
            figure: 'authenticated, watching connections held',
            value: count(held.open['hold'] ?? 0),
            target: target.label,
            pass: (held.open['hold'] ?? 0) >= target.min,
          },
          {
            figure: `connections past them (${count(config.holdExtra)} tried)`,
            value: `${count(refused)} refused, ${count(over.established)} admitted`,
          },
          {
            figure: '/healthz and /metrics while at the cap',
            value: `${health.status} in ${health.ms.toFixed(0)} ms, ${metrics.status} in ${metrics.ms.toFixed(0)} ms`,
            target: 'both answer 200',
            pass: answered,
          },
          ...memoryRows(
            '',
            (after.rssBytes - before.rssBytes) / holding,
            (after.heapBytes - before.heapBytes) / holding,
            h.baseline?.bytesPerConnection,
          ),
          ...(snapshot
            ? [
                {
                  figure: 'V8 heap live delta / N (after a full GC)',
                  value: kb((snapshot.liveHeapBytes - before.heapBytes) / holding),
                },
              ]
            : []),
          {
            figure: 'connects/s (connect + watch)',
            value: perSecond(opened.connectsPerS),
            ...(h.baseline ? { baseline: `${perSecond(h.baseline.connectsPerS)} (raw ws)` } : {}),
          },
          {
            figure: 'status change -> watcher, while held',
            value: describeLatency(traffic.latency),
          },
        ],
        notes: [
          `the gateway counts ${gatewaySays === undefined ? 'n/a' : count(gatewaySays)} connections, the clients hold ${count(holding)} (by group: ${describeCounts(held.open)}); memory per connection divides by all of them`,
          `gateway ${describeMemory(before, after)}`,
          `past the cap: ${describeCounts(over.errors)}`,
          `status change -> its ack at the sender (appended), while held: ${describeLatency(traffic.ack)}`,
          `while held (${config.holdS} s): ${count(traffic.statusSent)} status changes, ${count(traffic.activitySent)} activity frames, ${count(traffic.churned)} goodbye + reconnect (${count(traffic.reconnected)} back), ${count(traffic.deliveries)} deliveries`,
          ...(cpu ? [`CPU while held: ${cpu.lines}`] : []),
          `connect (attempt -> hello + watch ack): ${describeLatency(opened.connect)}; ${count(opened.retried)} retried after a refusal`,
          `errors: ${describeCounts(errors)}`,
          ...(snapshot?.lines ?? []),
        ],
      };
    } finally {
      await closeAll(h).catch(() => undefined);
      await gateway.child.stop();
      await system.settle();
    }
  },
};
