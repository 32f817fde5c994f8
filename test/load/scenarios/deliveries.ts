import { count } from '../../bench/progress.js';
import { describeLatency, formatMs } from '../histograms.js';
import { micros, perSecond, type Row } from '../report.js';
import { TARGETS } from '../scenario.js';
import { splitCpu, type TrafficSummary } from '../steps.js';

/**
 * The figures of one measured traffic step: how many deliveries arrived per second, how late,
 * how many of the expected ones came, and the CPU of our processes per delivery.
 */
export function deliveryFigures(
  label: string,
  traffic: TrafficSummary,
  watchersPerChange: number,
  cpuTarget: boolean,
): { rows: Row[]; notes: string[] } {
  const expected = traffic.statusMeasured * watchersPerChange;
  const cpu = traffic.cpu && splitCpu(traffic.cpu);
  const cpuPerDeliveryUs = cpu ? (cpu.ours * 1e6) / traffic.arrivedInWindow : Number.NaN;
  const rows: Row[] = [
    {
      figure: `${label}: CPU per delivery (gateway, aggregator, nats-server, postgres)`,
      value: micros(cpuPerDeliveryUs),
      ...(cpuTarget
        ? {
            target: `<= ${TARGETS.cpuPerDeliveryUs} us`,
            pass: cpuPerDeliveryUs <= TARGETS.cpuPerDeliveryUs,
          }
        : {}),
    },
  ];
  const notes = [
    `${label}: ${count(traffic.statusSent)} status changes sent (${count(traffic.statusMeasured)} after the warm-up), ${count(traffic.latency.count)} of their ${count(expected)} deliveries arrived in time; ${perSecond(traffic.deliveriesPerS)} arrived over the ${traffic.windowS.toFixed(0)} s window`,
    `${label}: change -> watcher ${describeLatency(traffic.latency)}; of that, change -> its ack at the sender (appended to DEVICE_EVENTS) ${describeLatency(traffic.ack)}`,
    `${label}: the load clients' event loops ran late by up to ${traffic.clientLoopDelayMs.p99.toFixed(1)} ms at p99, ${traffic.clientLoopDelayMs.max.toFixed(1)} ms at most (a frame read late there counts as latency)`,
    ...(cpu
      ? [
          `${label}: CPU over the window: ${cpu.lines}; the load clients ${micros((cpu.clients * 1e6) / traffic.arrivedInWindow)} per delivery`,
        ]
      : []),
  ];
  return { rows, notes };
}

/** A latency row against an optional target in ms. */
export function latencyRow(figure: string, ms: number, targetMs: number | undefined): Row {
  return {
    figure,
    value: formatMs(ms),
    ...(targetMs === undefined ? {} : { target: `<= ${targetMs} ms`, pass: ms <= targetMs }),
  };
}
