import type { BenchConfig } from './config.js';
import type { CpuUse } from './context.js';
import type { LiveResult } from './live-phase.js';
import { count, seconds } from './progress.js';
import type { RawLiveResult } from './raw-phase.js';
import type { RebuildResult, ReplayResult } from './rebuild-phase.js';
import type { Workload } from './workload.js';

/** Filled phase by phase (a failed run reports the phases it finished). */
export interface BenchResults {
  raw: RawLiveResult;
  live: LiveResult;
  replay: ReplayResult;
  replayDecode: ReplayResult;
  replayPartitions: ReplayResult;
  rebuild: RebuildResult;
}

/** The issue's targets: the live path at >= 40% of raw JetStream, the rebuild at >= 100k events/s. */
export const TARGETS = { liveShareOfRaw: 0.4, rebuildEventsPerSecond: 100_000 } as const;

interface Row {
  readonly phase: string;
  readonly events: number;
  readonly ms: number | undefined;
  readonly rawPerSecond?: number;
  readonly target?: string;
  readonly pass?: boolean;
}

const rate = (events: number, ms: number | undefined) =>
  ms === undefined || ms <= 0 ? Number.NaN : (events * 1000) / ms;

function table(rows: readonly Row[]): string {
  const header = ['phase', 'events', 'seconds', 'events/s', 'vs raw', 'target', 'result'];
  const cells = rows.map((row) => {
    const perSecond = rate(row.events, row.ms);
    return [
      row.phase,
      count(row.events),
      row.ms === undefined ? '-' : seconds(row.ms),
      Number.isNaN(perSecond) ? '-' : count(perSecond),
      row.rawPerSecond === undefined ? '' : `${((perSecond / row.rawPerSecond) * 100).toFixed(1)}%`,
      row.target ?? '',
      row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((v, i) => (i === 0 || i >= 5 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 || i >= 5 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

/** The figures measured so far as a Markdown table (paste it into test/bench/README.md). */
export function resultTable(results: Partial<BenchResults>): string {
  const { raw, live, replay, replayDecode, replayPartitions, rebuild } = results;
  const rawRate = raw ? rate(raw.events, raw.combinedMs) : undefined;
  const replayRate = replay ? rate(replay.events, replay.ms) : undefined;
  const rows: Row[] = [];
  if (raw) {
    rows.push(
      { phase: '1 raw: JetStream publish, acked', events: raw.events, ms: raw.publishMs },
      { phase: '1 raw: ordered consumers, during publish', events: raw.events, ms: raw.consumeMs },
      { phase: '1 raw: publish + consume (baseline)', events: raw.events, ms: raw.combinedMs },
    );
  }
  if (live) {
    rows.push({
      phase: '2 ours: publish -> checkpoints at head',
      events: live.events,
      ms: live.ms,
      rawPerSecond: rawRate,
      target: `>= ${TARGETS.liveShareOfRaw * 100}% of raw`,
      pass:
        rawRate === undefined
          ? undefined
          : rate(live.events, live.ms) >= TARGETS.liveShareOfRaw * rawRate,
    });
  }
  if (replay) rows.push({ phase: '3 raw: ordered replay (baseline)', ...replay });
  if (replayDecode)
    rows.push({
      phase: '3 raw: ordered replay + decode',
      ...replayDecode,
      rawPerSecond: replayRate,
    });
  if (replayPartitions) {
    rows.push({
      phase: `3 raw: ${replayPartitions.consumers} ordered consumers, one per partition`,
      ...replayPartitions,
      rawPerSecond: replayRate,
    });
  }
  if (rebuild) {
    const ms = rebuild.ms ?? rebuild.wallMs;
    rows.push(
      {
        phase: `3 ours: rebuild${rebuild.ms === undefined ? ' (process wall)' : ''}`,
        events: rebuild.events,
        ms,
        rawPerSecond: replayRate,
        target: `>= ${count(TARGETS.rebuildEventsPerSecond)}/s`,
        pass: rate(rebuild.events, ms) >= TARGETS.rebuildEventsPerSecond,
      },
      { phase: '3 ours: rebuild, process wall', events: rebuild.events, ms: rebuild.wallMs },
    );
  }
  return table(rows);
}

function cpuLine(name: string, use: CpuUse, events: number): string {
  const parts = Object.entries(use.seconds)
    .filter(([, s]) => Number.isFinite(s))
    .map(([who, s]) => `${who} ${s.toFixed(1)} s (${((s * 1e6) / events).toFixed(1)} us/event)`);
  return `  ${name}: machine ${(use.machineBusy * 100).toFixed(0)}% busy; ${parts.join(', ')}`;
}

function traffic(live: LiveResult): string {
  const t = live.traffic;
  if (!t) return 'n/a';
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  return `received ${count(t.outMsgs)} messages (${mb(t.outBytes)}), sent ${count(t.inMsgs)} (${mb(t.inBytes)})`;
}

/** The kinds of the facts the aggregator appended: all decoded kinds minus the workload's. */
function appendedKinds(workload: Workload, replayDecode: ReplayResult): string {
  const appended = Object.entries(replayDecode.kinds)
    .map(([kind, n]) => [kind, n - (workload.perKind[kind] ?? 0)] as const)
    .filter(([, n]) => n !== 0)
    .sort(([, a], [, b]) => b - a);
  return appended.length === 0 ? 'none' : appended.map(([k, n]) => `${k} ${count(n)}`).join(', ');
}

/** Everything else worth knowing about the run (what was measured of it), as plain lines. */
export function details(
  config: BenchConfig,
  workload: Workload,
  results: Partial<BenchResults>,
): string[] {
  const { raw, live, replay, replayDecode, replayPartitions, rebuild } = results;
  const kinds = Object.entries(workload.perKind)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, n]) => `${kind} ${((n / workload.count) * 100).toFixed(1)}%`)
    .join(', ');
  const lines = [
    `workload: ${count(workload.count)} events for ${count(workload.activeUsers)} users over ${config.windowS} s of simulated traffic ending at the start, P=${config.partitions}, seed ${config.seed}; ${(workload.payloadBytes / workload.count).toFixed(0)} B protobuf + ~370 B headers per event`,
    `  kinds: ${kinds}`,
  ];
  if (live) {
    const folded = live.events + live.appendedFacts;
    const kindsAppended = replayDecode ? ` (${appendedKinds(workload, replayDecode)})` : '';
    lines.push(
      `aggregator (phase 2): ${live.aggregatorCpuS.toFixed(1)} s CPU (${((live.aggregatorCpuS * 1e6) / live.events).toFixed(1)} us/event), RSS ${live.rssMiB.toFixed(0)} MiB (peak ${live.peakRssMiB.toFixed(0)} MiB), exit ${live.exitCode}`,
      `  user_presence rows ${count(live.rows)}; PRESENCE messages ${count(live.presenceMessages)}; rejected events ${live.rejected ?? 'n/a'}; batch failures ${live.batchFailures ?? 'n/a'}`,
      `  facts it appended to DEVICE_EVENTS: ${count(live.appendedFacts)}${kindsAppended}; counting them, it folded ${count(rate(folded, live.settledMs ?? live.ms))} events/s`,
      `  its NATS connection: ${traffic(live)}`,
      `  publishing alone took ${seconds(live.publishMs)} s; checkpoints covered the whole stream (its own facts too) after ${live.settledMs === undefined ? 'n/a (not within 30 s)' : `${seconds(live.settledMs)} s`}`,
    );
  }
  if (rebuild) lines.push(`rebuild: ${count(rebuild.rows)} rows`);
  const replays = [replay, replayDecode, replayPartitions].filter((r) => r !== undefined);
  if (replays.length > 0) {
    const walls = replays.map((r) => `${seconds(r.wallMs)} s`).join(', ');
    lines.push(`raw replays, process wall (whole, +decode, per partition): ${walls}`);
  }
  lines.push('CPU per phase:');
  if (raw) lines.push(cpuLine('1 raw', raw.cpu, raw.events));
  if (live) lines.push(cpuLine('2 ours', live.cpu, live.events));
  if (replay) lines.push(cpuLine('3 raw replay', replay.cpu, replay.events));
  if (replayDecode)
    lines.push(cpuLine('3 raw replay+decode', replayDecode.cpu, replayDecode.events));
  if (replayPartitions)
    lines.push(
      cpuLine('3 raw replay per partition', replayPartitions.cpu, replayPartitions.events),
    );
  if (rebuild) lines.push(cpuLine('3 rebuild', rebuild.cpu, rebuild.events));
  return lines;
}
