#!/usr/bin/env node
// `npm start`: private nats-server and PostgreSQL (data kept in .data/), then the six services
// with prefixed logs. NATS_URL / DATABASE_URL use existing servers instead. See README.md.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase, ensureNodeModules } from './index.mjs';
import { startLocalNats, startLocalPostgres } from './local-infra.mjs';
import { assertPortFree } from './ports.mjs';
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

async function startInfra() {
  if (env.NATS_URL) say(`using NATS at ${env.NATS_URL} (NATS_URL is set)`);
  else {
    const server = await startLocalNats({ root, env, log: say });
    natsServer = server;
    env.NATS_URL = server.url;
    void server.exited.then(({ code, signal }) => {
      const how = signal ?? `code ${code}`;
      if (!stopping) fail(`nats-server exited unexpectedly (${how}); see ${server.logFile}`);
    });
  }
  if (stopping) return;
  if (env.DATABASE_URL) say(`using PostgreSQL at ${env.DATABASE_URL} (DATABASE_URL is set)`);
  else {
    const { server, binDir } = await startLocalPostgres({ root, env, log: say });
    pgServer = server;
    if (stopping) return;
    env.DATABASE_URL = await createDatabase({
      binDir,
      adminUrl: server.adminUrl,
      name: 'presence',
    });
    say(`database ready: ${env.DATABASE_URL}`);
  }
}

async function startServices() {
  const missing = SERVICES.filter(({ entry }) => !existsSync(join(root, entry)));
  if (missing.length > 0) {
    throw new Error(`cannot start, missing: ${missing.map(({ entry }) => entry).join(', ')}`);
  }
  // A service left over from a killed run would hold its port, and the new one would die on it.
  for (const { name, httpPort } of SERVICES) {
    const hint = `Is one left over from an earlier run? See: ss -ltnp 'sport = :${httpPort}'`;
    await assertPortFree(httpPort, '127.0.0.1', name, hint);
  }
  const width = Math.max(...SERVICES.map(({ name }) => name.length));
  SERVICES.forEach((spec, index) => {
    say(`starting ${spec.name} (node ${spec.entry})...`);
    const print = linePrinter(spec.name, index, width, paint);
    const onExit = ({ code, signal }) => {
      if (!stopping)
        fail(
          `${spec.name} exited unexpectedly with ${signal ? `signal ${signal}` : `exit code ${code}`}`,
        );
    };
    services.push(spawnService({ ...spec, cwd: root, env, print, onExit }));
  });
}

/** Stops what we started, in dependency order: services, then PostgreSQL, then nats-server. */
async function shutdown(exitCode) {
  if (stopping) return;
  stopping = true;
  if (services.length > 0) say('stopping services (SIGTERM; Ctrl-C again to kill at once)...');
  await stopServices(services, { graceMs: 10_000, log: say });
  for (const [what, server] of /** @type {const} */ ([
    ['PostgreSQL', pgServer],
    ['nats-server', natsServer],
  ])) {
    if (!server) continue;
    say(`stopping ${what}...`);
    await server
      .stop()
      .catch((error) => say(paint.red(`stopping ${what} failed: ${error.message}`)));
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

// SIGHUP: the terminal was closed. Our children run in their own process groups and would
// otherwise outlive us.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => (stopping ? void forceQuit() : void shutdown(0)));
}

async function main() {
  say(`bootstrapping in ${root}`);
  await ensureNodeModules(root, { log: say });
  await startInfra();
  if (stopping) return;
  await startServices();
  say('waiting for every service to answer /readyz (60 s)...');
  await waitReady(SERVICES, { timeoutMs: 60_000, log: say, cancelled: () => stopping });
  const monitor = natsServer?.monitorUrl;
  console.log(
    endpointsTable({
      natsUrl: env.NATS_URL,
      natsMonitorUrl: monitor,
      databaseUrl: env.DATABASE_URL,
      services: SERVICES,
      paint,
    }),
  );
}

// Last resort (an exception escaped): never leave detached children behind.
process.on('exit', () => {
  killServices(services);
  natsServer?.kill('SIGKILL');
});

main().catch((error) => fail(error.message)); // no-op when a shutdown already cancelled main
