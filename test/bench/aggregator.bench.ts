/**
 * `npm run bench`: presence-aggregator throughput and rebuild speed against bare JetStream, on
 * real servers (a private nats-server and a throwaway PostgreSQL), in one run. A measurement, not
 * a test: it prints the figures and exits 0 whether the targets are met or not; it exits 1 on an
 * error or a timeout, and cleans everything up, also on Ctrl-C. See README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { cleanUp, cleanUpOnSignals, onCleanup, wasInterrupted } from './cleanup.js';
import { loadBenchConfig, type BenchConfig } from './config.js';
import { mainProfileIn, summarizeCpuProfile } from './cpu-profile.js';
import type { BenchContext } from './context.js';
import { buildAggregator } from './aggregator-process.js';
import { runLivePhase } from './live-phase.js';
import { count, seconds } from './progress.js';
import { runRawLivePhase } from './raw-phase.js';
import { runRawReplay, runRebuildPhase } from './rebuild-phase.js';
import { details, resultTable, type BenchResults } from './report.js';
import { startBenchServers } from './servers.js';
import { generateWorkload, type Workload } from './workload.js';

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined;
  }
}

function describeCheckout(root: string): string {
  const commit = git(root, ['log', '-1', '--oneline']);
  if (commit === undefined) return `${root} (not a git checkout)`;
  // What the aggregator runs: its sources and the libs and contracts under it.
  const changed =
    git(root, ['status', '--porcelain', '--', 'services', 'libs', 'proto'])
      ?.split('\n')
      .filter(Boolean).length ?? 0;
  return `${commit}${changed > 0 ? ` + ${changed} uncommitted files in services/ libs/ proto/` : ''}`;
}

/** Runs the phases, recording each result as soon as it is measured. */
async function bench(config: BenchConfig, results: Partial<BenchResults>): Promise<Workload> {
  console.log(
    `presence-aggregator bench: ${count(config.events)} events, ${count(config.users)} users, P=${config.partitions}`,
  );
  console.log(
    `aggregator from ${config.aggregatorRoot}: ${describeCheckout(config.aggregatorRoot)}`,
  );
  if (config.aggregatorBuild === 'dist') {
    const started = performance.now();
    buildAggregator(config);
    console.log(
      `built it (compiled JavaScript, as deployed) in ${seconds(performance.now() - started)} s`,
    );
  } else {
    console.log('running it from TypeScript sources through tsx, as `npm start` does');
  }
  mkdirSync(config.logDir, { recursive: true });
  console.log(`logs in ${config.logDir}`);

  let step = performance.now();
  const workload = generateWorkload({
    events: config.events,
    users: config.users,
    partitions: config.partitions,
    seed: config.seed,
    windowMs: config.windowS * 1000,
    endsAt: Date.now(),
  });
  console.log(`generated and encoded the workload in ${seconds(performance.now() - step)} s`);

  step = performance.now();
  const servers = await startBenchServers((line) => console.log(`  ${line}`));
  const nc = await connect({ servers: servers.natsUrl, noAsyncTraces: true, name: 'bench' });
  onCleanup('bench connection', () => nc.close());
  const ctx: BenchContext = {
    config,
    servers,
    workload,
    nc,
    jsm: await jetstreamManager(nc),
  };
  console.log(`nats-server and PostgreSQL up in ${seconds(performance.now() - step)} s`);
  // Report what was measured even when a later phase fails.
  onCleanup('partial results', async () => {
    if (results.rebuild === undefined && Object.keys(results).length > 0) report(results);
  });
  const perSecond = (events: number, ms: number) => `${count((events * 1000) / ms)} events/s`;

  console.log('\nphase 1: raw JetStream, publish + ordered consumers (no code of ours)');
  results.raw = await runRawLivePhase(ctx);
  console.log(`  done: ${perSecond(results.raw.events, results.raw.combinedMs)}`);

  console.log('\nphase 2: presence-aggregator, publish until the checkpoints reach the head');
  results.live = await runLivePhase(ctx);
  console.log(`  done: ${perSecond(results.live.events, results.live.ms)}`);

  console.log('\nphase 3: replay DEVICE_EVENTS from sequence 1 (raw, raw + decode, rebuild)');
  results.replay = await runRawReplay(ctx, 'whole');
  results.replayDecode = await runRawReplay(ctx, 'whole+decode');
  results.replayPartitions = await runRawReplay(ctx, 'partitions');
  results.rebuild = await runRebuildPhase(ctx);
  return workload;
}

function report(results: Partial<BenchResults>, workload?: Workload, config?: BenchConfig): void {
  console.log(`\n${resultTable(results)}\n`);
  if (workload && config) for (const line of details(config, workload, results)) console.log(line);
}

function printProfiles(config: BenchConfig): void {
  if (config.cpuProfileDir === undefined) return;
  for (const phase of ['live', 'rebuild']) {
    const file = mainProfileIn(join(config.cpuProfileDir, phase));
    console.log(`\nCPU profile of the aggregator (${phase}):`);
    for (const line of file ? summarizeCpuProfile(file) : ['  none written']) console.log(line);
  }
}

cleanUpOnSignals();
const started = performance.now();
const config = loadBenchConfig();
const results: Partial<BenchResults> = {};
let exitCode = 0;
try {
  const workload = await bench(config, results);
  report(results, workload, config);
  printProfiles(config);
} catch (error) {
  if (!wasInterrupted())
    console.error(`\nbench failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
console.log(`\ntotal ${seconds(performance.now() - started)} s`);
process.exit(exitCode);
