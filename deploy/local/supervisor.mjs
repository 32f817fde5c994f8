// Runs the services as child processes: prefixed log lines, readiness polling, ordered shutdown.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { sleep, waitForExit } from './process.mjs';

/**
 * Spawns `node --conditions=@presence/source --import tsx <nodeArgs> <entry>` in `cwd` (the repo root, so
 * tsx and the workspace packages resolve) in its own process group: a terminal Ctrl-C reaches
 * only us, and we decide the order (services first, then PostgreSQL and nats-server).
 * `print` receives each output line; `onExit` is called once with `{ code, signal }`.
 * @param {{ name: string, entry: string, nodeArgs?: string[], cwd: string, env: NodeJS.ProcessEnv,
 *   print: (line: string) => void, onExit: (exit: { code: number | null, signal: NodeJS.Signals | null }) => void }} options
 */
export function spawnService({ name, entry, nodeArgs = [], cwd, env, print, onExit }) {
  const child = spawn(
    process.execPath,
    ['--conditions=@presence/source', '--import', 'tsx', ...nodeArgs, entry],
    {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', print);
  }
  const exited = waitForExit(child);
  child.on('error', (error) => print(`failed to start: ${error.message}`));
  // 'close' (not 'exit'): the last lines of a crashing service are printed before we report it.
  child.on('close', (code, signal) => onExit({ code, signal }));
  return { name, child, exited };
}

/** SIGTERM every service, wait up to `graceMs`, then SIGKILL the ones still running. */
export async function stopServices(services, { graceMs = 10_000, log }) {
  const running = services.filter(
    ({ child }) => child.exitCode === null && child.signalCode === null,
  );
  for (const { child } of running) child.kill('SIGTERM');
  const results = await Promise.all(running.map(({ child }) => waitForExit(child, graceMs)));
  const stragglers = running.filter((_, index) => results[index] === undefined);
  if (stragglers.length > 0) {
    log(
      `still running after ${graceMs / 1000} s, killing: ${stragglers.map(({ name }) => name).join(', ')}`,
    );
    for (const { child } of stragglers) child.kill('SIGKILL');
    await Promise.all(stragglers.map(({ exited }) => exited));
  }
}

/** SIGKILL at once (second Ctrl-C). */
export function killServices(services) {
  for (const { child } of services)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function readiness(url) {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? 'ready' : `HTTP ${response.statusCode}`);
    });
    request.on('error', (/** @type {NodeJS.ErrnoException} */ error) =>
      resolve(error.code === 'ECONNREFUSED' ? 'not listening' : error.message),
    );
    request.on('timeout', () => request.destroy(new Error('no answer')));
  });
}

/**
 * Polls `http://127.0.0.1:<httpPort>/readyz` of every service until all answer 200. Reports the
 * laggards every 5 s; throws after `timeoutMs`, or when `cancelled()` turns true.
 */
export async function waitReady(specs, { timeoutMs = 60_000, log, cancelled }) {
  const started = Date.now();
  let lastReport = started;
  const pending = new Map(specs.map((spec) => [spec.name, 'starting']));
  while (pending.size > 0) {
    if (cancelled()) throw new Error('cancelled');
    await Promise.all(
      specs
        .filter(({ name }) => pending.has(name))
        .map(async ({ name, httpPort }) => {
          const state = await readiness(`http://127.0.0.1:${httpPort}/readyz`);
          if (state === 'ready') pending.delete(name);
          else pending.set(name, state);
        }),
    );
    if (pending.size === 0) return;
    const laggards = [...pending].map(([name, state]) => `${name} (${state})`).join(', ');
    if (Date.now() - started > timeoutMs)
      throw new Error(`not ready after ${timeoutMs / 1000} s: ${laggards}`);
    if (Date.now() - lastReport >= 5_000) {
      log(`waiting for /readyz: ${laggards}`);
      lastReport = Date.now();
    }
    await sleep(250);
  }
}
