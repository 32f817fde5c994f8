#!/usr/bin/env node
// `npm test`: every check CI runs, in order, stopping at the first failure, with one throwaway
// PostgreSQL cluster for all integration tests. `npm test -- <vitest args>` passes arguments to
// vitest; PRESENCE_TEST_STEPS=vitest (comma list) runs only some steps. See README.md.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import {
  ensureNatsServer,
  ensureNodeModules,
  ensurePostgres,
  startThrowawayPostgres,
} from './index.mjs';
import { palette } from './log-format.mjs';
import { waitForExit } from './process.mjs';
import { selectSteps, summaryTable, testSteps } from './test-steps.mjs';

const root = resolve(import.meta.dirname, '../..');
process.chdir(root);
const paint = palette();
const say = (line) => console.log(`${paint.bold('[test]')} ${line}`);
const STEPS = testSteps(process.argv.slice(2));

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const results = new Map(); // step name -> { status, seconds }
let cluster; // the throwaway PostgreSQL server, once started
let current; // running child process
let interrupted = false;

async function removeCluster(mode = 'fast') {
  const server = cluster;
  cluster = undefined;
  await server
    ?.stop(mode)
    .catch((error) => say(paint.red(`stopping PostgreSQL failed: ${error.message}`)));
}

function runStep(step) {
  console.log(
    `\n${paint.bold(paint.cyan(`━━ ${step.name}: ${step.what}`))}\n${paint.gray(`$ ${step.shown}`)}`,
  );
  // Own process group: nx and vitest run workers that must stop with them, so we signal the whole
  // group (`kill -<pgid>`) ourselves. No stdin, or a background group reading the TTY would stop.
  current = spawn(step.file, step.args, {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  current.on('error', (error) => say(paint.red(`could not run ${step.file}: ${error.message}`)));
  return waitForExit(current).then(({ code, signal }) =>
    signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1),
  );
}

async function main() {
  const steps = selectSteps(STEPS, process.env.PRESENCE_TEST_STEPS);
  for (const step of STEPS)
    if (!steps.includes(step)) results.set(step.name, { status: 'skipped' });
  await ensureNodeModules(root, { log: say });
  await ensureNatsServer({ log: say });
  const { binDir } = await ensurePostgres({ log: say });
  let exitCode = 0;
  for (const step of steps) {
    if (exitCode !== 0 || interrupted) {
      results.set(step.name, { status: 'not run' });
      continue;
    }
    if (step.needsDatabase && !env.PRESENCE_TEST_DATABASE_URL) {
      cluster = await startThrowawayPostgres({ binDir, log: say });
      env.PRESENCE_TEST_DATABASE_URL = cluster.adminUrl;
      if (interrupted) {
        results.set(step.name, { status: 'not run' });
        continue;
      }
    }
    const started = performance.now();
    exitCode = await runStep(step);
    const seconds = (performance.now() - started) / 1000;
    results.set(step.name, {
      status: exitCode === 0 ? 'passed' : interrupted ? 'stopped' : 'FAILED',
      seconds,
    });
  }
  await removeCluster();
  console.log(summaryTable(STEPS, results, paint));
  return interrupted ? 130 : exitCode;
}

/** Signals the running step's whole process group (nx or vitest, and their workers). */
function signalStep(signal) {
  if (
    !current ||
    current.exitCode !== null ||
    current.signalCode !== null ||
    current.pid === undefined
  )
    return;
  try {
    process.kill(-current.pid, signal);
  } catch {
    // the group is already gone
  }
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (interrupted) {
      signalStep('SIGKILL');
      void removeCluster('immediate').then(() => process.exit(130));
      return;
    }
    interrupted = true;
    say('interrupted: stopping (Ctrl-C again to kill at once)...');
    signalStep(signal);
  });
}
process.on('exit', () => signalStep('SIGKILL')); // never leave a step running behind us

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`${paint.bold('[test]')} ${paint.red(error.message)}`);
    await removeCluster();
    process.exit(1);
  },
);
