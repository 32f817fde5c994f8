/**
 * `npm run load`: the gateway under load on real servers (a private nats-server, a throwaway
 * PostgreSQL, the presence-aggregator, gateway processes), driven by load-client processes over
 * loopback. A measurement, not a test: it prints a table per scenario and exits 0 whether the
 * targets are met or not; 1 when a scenario failed or ran past LOAD_TIMEOUT_S. Everything it
 * starts is stopped at the end, on failure and on Ctrl-C. See README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanUp, cleanUpOnSignals, wasInterrupted } from '../bench/cleanup.js';
import { REPO_ROOT } from '../bench/config.js';
import { mainProfileIn, summarizeCpuProfile } from '../bench/cpu-profile.js';
import { count, seconds } from '../bench/progress.js';
import { loadConfig, type LoadConfig, type ScenarioName } from './config.js';
import { buildServices } from './gateway-process.js';
import { Harness } from './harness.js';
import { printScenario, reproduce, type ScenarioResult } from './report.js';
import type { Scenario } from './scenario.js';
import { baseline } from './scenarios/baseline.js';
import { connectRate } from './scenarios/connect-rate.js';
import { fanout } from './scenarios/fanout.js';
import { hold } from './scenarios/hold.js';
import { latency } from './scenarios/latency.js';
import { multi } from './scenarios/multi.js';

const SCENARIOS: Record<ScenarioName, Scenario> = {
  baseline,
  hold,
  multi,
  'connect-rate': connectRate,
  fanout,
  latency,
};

class DeadlineError extends Error {}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} ran past ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function commit(): string {
  try {
    const head = execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: REPO_ROOT });
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'services', 'libs'], {
      cwd: REPO_ROOT,
    });
    const changed = dirty.toString().split('\n').filter(Boolean).length;
    return `${head.toString().trim()}${changed > 0 ? ` + ${changed} uncommitted files in services/ libs/` : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

/** LOAD_CPU_PROF: the top self-time areas and functions of the processes whose dir starts so. */
function printProfiles(config: LoadConfig, prefix: string): void {
  if (config.cpuProfileDir === undefined) return;
  const dirs = readdirSync(config.cpuProfileDir).filter((d) => d.startsWith(prefix));
  for (const dir of dirs) {
    const file = mainProfileIn(join(config.cpuProfileDir, dir));
    console.log(`\nCPU profile of ${dir}:`);
    for (const line of file ? summarizeCpuProfile(file) : ['  none written']) console.log(line);
  }
}

async function runScenario(h: Harness, scenario: Scenario): Promise<ScenarioResult> {
  const { config } = h;
  const title = scenario.title(config);
  const command = reproduce(scenario.name, config, scenario.knobs(config));
  console.log(`\n== ${title}`);
  const started = performance.now();
  try {
    const measured = await withDeadline(
      scenario.run(h),
      config.scenarioTimeoutS * 1000,
      scenario.name,
    );
    const result = { name: scenario.name, title, command, ...measured };
    console.log(`  done in ${seconds(performance.now() - started)} s`);
    printScenario(result);
    printProfiles(config, `gateway-${scenario.name}`);
    return result;
  } catch (error) {
    if (error instanceof DeadlineError || wasInterrupted()) throw error;
    const failure = (error as Error).stack ?? String(error);
    console.error(`\n${scenario.name} failed: ${failure}`);
    return { name: scenario.name, title, command, rows: [], notes: [], failure };
  }
}

function header(config: LoadConfig): void {
  console.log(`gateway load: ${config.scenarios.join(', ')}`);
  console.log(`checkout: ${commit()}`);
  console.log(
    `services run as ${config.build === 'dist' ? 'compiled JavaScript (dist, built now)' : 'TypeScript sources through tsx'}; ${config.clients} load clients over ${config.addresses.length} loopback addresses; logs in ${config.logDir}`,
  );
  if (config.scale !== 1) console.log(`sizes scaled by LOAD_SCALE=${config.scale}`);
}

cleanUpOnSignals();
const started = performance.now();
const config = loadConfig();
mkdirSync(config.logDir, { recursive: true });
header(config);
const results: ScenarioResult[] = [];
let exitCode = 0;
try {
  if (config.scenarios.some((name) => SCENARIOS[name].needsSystem)) {
    const building = performance.now();
    buildServices(config);
    if (config.build === 'dist')
      console.log(
        `built the gateway and the aggregator in ${seconds(performance.now() - building)} s`,
      );
  }
  const h = new Harness(config);
  for (const name of config.scenarios) {
    const result = await runScenario(h, SCENARIOS[name]);
    results.push(result);
    if (result.failure) exitCode = 1;
  }
} catch (error) {
  if (!wasInterrupted()) console.error(`\nload run failed: ${(error as Error).stack ?? error}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
// The load clients write their profiles when they exit, at the end of the run.
printProfiles(config, 'load-client-');
if (results.length > 1) {
  console.log('\n## All scenarios');
  for (const result of results) printScenario(result);
}
const passes = results.flatMap((r) => r.rows).filter((row) => row.pass !== undefined);
console.log(
  `\n${count(passes.filter((row) => row.pass).length)} of ${count(passes.length)} targets met; total ${seconds(performance.now() - started)} s`,
);
process.exit(exitCode);
