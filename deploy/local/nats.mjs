// Starts a private nats-server (JetStream on) from a config file we write, and waits until its
// monitor endpoint reports healthy.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { stopLeftoverNats } from './nats-leftover.mjs';
import { assertPortFree, freePort, isPortInUseError } from './ports.mjs';
import { displayPath, indent, run, sleep, tailFile, waitForExit } from './process.mjs';
import { ensureNatsServer } from './system-packages.mjs';

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

/** Status code of a GET, or undefined when nothing answers (yet). */
function httpStatus(url) {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(undefined));
    request.on('timeout', () => request.destroy());
  });
}

/** nats.conf: explicit JetStream limits, because by default it claims 75% of RAM and disk. */
function natsConfig({
  host,
  port,
  monitorPort,
  jetstream,
  storeDir,
  pidFile,
  maxMemoryStore,
  maxFileStore,
}) {
  const lines = [
    '# Written by @presence/local on every start; edit deploy/local/nats.mjs instead.',
  ];
  lines.push(
    `listen: ${JSON.stringify(`${host}:${port}`)}`,
    `http: ${JSON.stringify(`${host}:${monitorPort}`)}`,
    `pid_file: ${JSON.stringify(pidFile)}`,
  );
  if (jetstream) {
    lines.push('jetstream {', `  store_dir: ${JSON.stringify(storeDir)}`);
    lines.push(`  max_memory_store: ${maxMemoryStore}`, `  max_file_store: ${maxFileStore}`, '}');
  }
  return `${lines.join('\n')}\n`;
}

async function version(binary) {
  const output = await run(binary, ['--version']).catch(() => '');
  return /v?(\d+\.\d+\.\d+\S*)/.exec(output)?.[1] ?? '(unknown version)';
}

/** Polls the health endpoint until 200; fails fast when the process dies, with its log tail. */
async function waitHealthy(child, healthUrl, logFile, where) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = tailFile(logFile);
      const error = new Error(
        `nats-server on ${where} exited during startup (code ${child.exitCode ?? child.signalCode}); ${logFile}:\n${indent(tail)}`,
      );
      throw /address already in use/i.test(tail)
        ? Object.assign(error, { code: 'EADDRINUSE' })
        : error;
    }
    if ((await httpStatus(healthUrl)) === 200) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `nats-server on ${where} was not healthy after ${READY_TIMEOUT_MS / 1000} s (${healthUrl}); ${logFile}:\n${indent(tailFile(logFile))}`,
      );
    }
    await sleep(20);
  }
}

async function startOnce(options) {
  const { dir, host, port, monitorPort, binary, jetstream, detached, log } = options;
  const configFile = join(dir, 'nats.conf');
  const logFile = join(dir, 'nats.log');
  const pidFile = join(dir, 'nats.pid');
  await stopLeftoverNats(pidFile, configFile, log);
  const hint = 'Pass another `port`/`monitorPort`, or stop the other process.';
  await assertPortFree(port, host, 'nats-server', hint);
  await assertPortFree(monitorPort, host, 'nats-server monitor', hint);
  // nats-server appends "jetstream" to store_dir itself: the streams end up in dir/jetstream.
  writeFileSync(configFile, natsConfig({ ...options, storeDir: dir, pidFile }));
  if (log !== silent) {
    const where = displayPath(dir);
    log(`starting nats-server ${await version(binary)} on ${host}:${port} (data ${where})...`);
  }
  const logFd = openSync(logFile, 'a');
  // `detached` puts it in its own process group, so a terminal Ctrl-C reaches only our script,
  // which then stops the services before nats-server.
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', logFd, logFd], detached });
  closeSync(logFd);
  const exited = waitForExit(child);
  const healthUrl = `http://${host}:${monitorPort}/healthz${jetstream ? '?js-enabled-only=true' : ''}`;
  await waitHealthy(child, healthUrl, logFile, `${host}:${port}`);
  return {
    url: `nats://${host}:${port}`,
    port,
    monitorUrl: `http://${host}:${monitorPort}`,
    monitorPort,
    pid: child.pid,
    logFile,
    exited,
    async stop() {
      child.kill('SIGTERM');
      if (await waitForExit(child, STOP_GRACE_MS)) return;
      child.kill('SIGKILL');
      await exited;
    },
    /** @param {NodeJS.Signals} [signal] */
    kill(signal = 'SIGKILL') {
      child.kill(signal);
    },
  };
}

/**
 * Starts nats-server with JetStream (store in `dir/jetstream`, config in `dir/nats.conf`, log in
 * `dir/nats.log`) and resolves once `/healthz` answers 200. Ports left out are picked free (and
 * picked again if another process grabs one first). See index.d.mts for the options.
 */
export async function startNats(options) {
  const { host = '127.0.0.1', jetstream = true, detached = false, log = silent } = options;
  const settings = {
    maxMemoryStore: '1G',
    maxFileStore: '10G',
    ...options,
    host,
    jetstream,
    detached,
    log,
    dir: resolve(options.dir), // absolute: the pid check matches it against the command line
    binary: options.binary ?? (await ensureNatsServer({ log })),
  };
  mkdirSync(settings.dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort(host));
    let monitorPort = options.monitorPort ?? (await freePort(host));
    while (monitorPort === port) monitorPort = await freePort(host);
    try {
      return await startOnce({ ...settings, port, monitorPort });
    } catch (error) {
      const picked = options.port === undefined || options.monitorPort === undefined;
      if (!(picked && isPortInUseError(error) && attempt < 3)) throw error;
    }
  }
}

function silent() {
  return undefined; // the default logger: progress lines are opt-in
}
