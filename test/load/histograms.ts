import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

/** Latencies in microseconds, 3 significant digits, auto-resizing (HdrHistogram). */
export const newHistogram = (): Histogram => build({ numberOfSignificantValueDigits: 3 });

/** Records a duration in microseconds; clock noise below 1 us counts as 1 us. */
export function recordUs(histogram: Histogram, us: number): void {
  histogram.recordValue(Math.max(1, Math.round(us)));
}

export const encodeHistogram = (histogram: Histogram): string =>
  encodeIntoCompressedBase64(histogram);

/** One histogram of all the clients' encoded ones. */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const merged = newHistogram();
  for (const text of encoded) if (text !== '') merged.add(decodeFromCompressedBase64(text));
  return merged;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarize(histogram: Histogram): LatencySummary {
  const ms = (us: number) => us / 1000;
  return {
    count: histogram.totalCount,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(histogram.maxValue),
  };
}

export const formatMs = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(2)} ms` : '-');

/** `p50 1.20 ms, p99 4.10 ms, max 9.00 ms (n = 75,000)`. */
export function describeLatency(summary: LatencySummary): string {
  if (summary.count === 0) return 'no deliveries measured';
  const n = summary.count.toLocaleString('en-US');
  return `p50 ${formatMs(summary.p50Ms)}, p99 ${formatMs(summary.p99Ms)}, max ${formatMs(summary.maxMs)} (n = ${n})`;
}
