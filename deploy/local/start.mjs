#!/usr/bin/env node
// `npm start`: private nats-server and PostgreSQL (data kept in .data/), then the six services
// with prefixed logs. NATS_URL / DATABASE_URL use existing servers instead. See README.md.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase, ensureNatsServer, ensureNodeModules, ensurePostgres, isPortInUseError, startNats, startPostgres } from './index.mjs';
import { linePrinter, palette } from './log-format.mjs';
import { endpointsTable, SERVICES } from './services.mjs';
import { killServices, spawnService, stopServices, waitReady } from './supervisor.mjs';

const root = resolve(import.meta.dirname, '../..');
process.chdir(root); // services run from the root, and progress lines show paths relative to it
const paint = palette();
const say = (line) => console.log(`${paint.bold('[presence]')} ${line}`);
const env = { ...process.env };
/** @type {import('./index.mjs').NatsServer | undefined} */
let natsServer; // only when we started it
/** @type {import('./index.mjs').PostgresServer | undefined} */
let pgServer; // only when we started it
/** @type {ReturnType<typeof spawnService>[]} */
const services = [];
let stopping = false;

/** Adds which environment variables pick another port to a port-in-use error. */
function portHint(hint) {
  return (error) => {
    throw isPortInUseError(error) ? new Error(`${error.summary ?? error.message}\n${hint}`) : error;
  };
}

async function startOwnNats() {
  const binary = await ensureNatsServer({ log: say });
  const port = Number(env.PRESENCE_NATS_PORT ?? 4222);
  const monitorPort = Number(env.PRESENCE_NATS_MONITOR_PORT ?? 8222);
  const options = { dir: join(root, '.data/nats'), port, monitorPort, binary, detached: true, log: say };
  const server = await startNats(options).catch(
    portHint('Set PRESENCE_NATS_PORT / PRESENCE_NATS_MONITOR_PORT for other ports, or NATS_URL=nats://host:port to use a running server.'),
  );
  void server.exited.then(({ code, signal }) => {
    if (!stopping) fail(`nats-server exited unexpectedly (${signal ?? `code ${code}`}); see ${server.logFile}`);
  });
  return server;
}

async function startOwnPostgres() {
  const { binDir } = await ensurePostgres({ log: say });
  const port = Number(env.PRESENCE_PG_PORT ?? 54320);
  // One data directory per major version: a cluster only runs with the binaries that made it.
  const dir = join(root, '.data/postgres', /postgresql\/([^/]+)\/bin/.exec(binDir)?.[1] ?? 'main');
  const server = await startPostgres({ dir, port, binDir, durable: true, log: say }).catch(
    portHint('Set PRESENCE_PG_PORT for another port, or DATABASE_URL=postgres://... to use a running server.'),
  );
  return { server, binDir };
}

async function startInfra() {
  if (env.NATS_URL) say(`using NATS at ${env.NATS_URL} (NATS_URL is set)`);
  else {
    natsServer = await startOwnNats();
    env.NATS_URL = natsServer.url;
  }
  if (stopping) return;
  if (env.DATABASE_URL) say(`using PostgreSQL at ${env.DATABASE_URL} (DATABASE_URL is set)`);
  else {
    const { server, binDir } = await startOwnPostgres();
    pgServer = server;
    if (stopping) return;
    env.DATABASE_URL = await createDatabase({ binDir, adminUrl: server.adminUrl, name: 'presence' });
    say(`database ready: ${env.DATABASE_URL}`);
  }
}

function startServices() {
  const missing = SERVICES.filter(({ entry }) => !existsSync(join(root, entry)));
  if (missing.length > 0) throw new Error(`cannot start, missing: ${missing.map(({ entry }) => entry).join(', ')}`);
  const width = Math.max(...SERVICES.map(({ name }) => name.length));
  SERVICES.forEach((spec, index) => {
    say(`starting ${spec.name} (node ${spec.entry})...`);
    const print = linePrinter(spec.name, index, width, paint);
    const onExit = ({ code, signal }) => {
      if (!stopping) fail(`${spec.name} exited unexpectedly with ${signal ? `signal ${signal}` : `exit code ${code}`}`);
    };
    services.push(spawnService({ name: spec.name, entry: spec.entry, cwd: root, env, print, onExit }));
  });
}

/** Stops what we started, in dependency order: services, then PostgreSQL, then nats-server. */
async function shutdown(exitCode) {
  if (stopping) return;
  stopping = true;
  if (services.length > 0) say('stopping services (SIGTERM; Ctrl-C again to kill at once)...');
  await stopServices(services, { graceMs: 10_000, log: say });
  for (const [what, server] of /** @type {const} */ ([['PostgreSQL', pgServer], ['nats-server', natsServer]])) {
    if (!server) continue;
    say(`stopping ${what}...`);
    await server.stop().catch((error) => say(paint.red(`stopping ${what} failed: ${error.message}`)));
  }
  say(exitCode === 0 ? 'stopped' : paint.red('stopped after an error'));
  process.exit(exitCode);
}

function fail(message) {
  if (stopping) return;
  console.error(`${paint.bold('[presence]')} ${paint.red(message)}`);
  void shutdown(1);
}

/** Second Ctrl-C: kill everything now; PostgreSQL stops in immediate mode (crash-safe). */
async function forceQuit() {
  say(paint.red('killing everything'));
  killServices(services);
  natsServer?.kill('SIGKILL');
  await pgServer?.stop('immediate').catch(() => undefined);
  process.exit(130);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => (stopping ? void forceQuit() : void shutdown(0)));
}

async function main() {
  say(`bootstrapping in ${root}`);
  await ensureNodeModules(root, { log: say });
  await startInfra();
  if (stopping) return;
  startServices();
  say('waiting for every service to answer /readyz (60 s)...');
  await waitReady(SERVICES, { timeoutMs: 60_000, log: say, cancelled: () => stopping });
  const monitor = natsServer?.monitorUrl;
  console.log(endpointsTable({ natsUrl: env.NATS_URL, natsMonitorUrl: monitor, databaseUrl: env.DATABASE_URL, services: SERVICES, paint }));
}

// Last resort (an exception escaped): never leave detached children behind.
process.on('exit', () => {
  killServices(services);
  natsServer?.kill('SIGKILL');
});

main().catch((error) => fail(error.message)); // no-op when a shutdown already cancelled main

