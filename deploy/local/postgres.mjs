// Starts a private PostgreSQL cluster (initdb on first use, kept between runs) listening on
// loopback TCP only.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { assertPortFree, freePort } from './ports.mjs';
import { clearLeftoverServer, prepareDataDir } from './postgres-dir.mjs';
import { displayPath, indent, run, tailFile } from './process.mjs';
import { ensurePostgres } from './system-packages.mjs';

/** Quotes one word for /bin/sh: pg_ctl hands `-o` to the shell that starts postgres. */
const shellQuote = (word) => `'${String(word).replaceAll("'", `'\\''`)}'`;

/** Server settings on the command line, so nothing depends on the (kept) postgresql.conf. */
function serverOptions({ host, port, durable, settings }) {
  const all = {
    listen_addresses: host,
    port,
    unix_socket_directories: '', // TCP only: no socket files in /var/run/postgresql to fight over
    ...(durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...settings,
  };
  return Object.entries(all)
    .map(([name, value]) => `-c ${shellQuote(`${name}=${value}`)}`)
    .join(' ');
}

async function majorVersion(binDir) {
  const output = await run(join(binDir, 'pg_ctl'), ['--version']);
  return /\(PostgreSQL\)\s+(\d+)/.exec(output)?.[1] ?? 'unknown';
}

/** Starts (creating it if needed) a PostgreSQL cluster in `dir`. See index.d.mts for the options. */
export async function startPostgres(options) {
  const { host = '127.0.0.1', durable = true, settings = {}, log = () => undefined } = options;
  const dir = resolve(options.dir);
  const logFile = resolve(options.logFile ?? join(dirname(dir), 'postgres.log'));
  const binDir = options.binDir ?? (await ensurePostgres({ log })).binDir;
  const port = options.port ?? (await freePort(host));
  const pg = (tool, args) => run(join(binDir, tool), args, { asPostgres: true });
  const pgCtl = (args) => pg('pg_ctl', args);

  await prepareDataDir(dir, logFile);
  const version = await majorVersion(binDir);
  const versionFile = join(dir, 'PG_VERSION');
  if (!existsSync(versionFile)) {
    log(`initializing a PostgreSQL ${version} cluster in ${displayPath(dir)}...`);
    // --locale=C: identical ordering everywhere, and no dependence on which locales are installed.
    await pg('initdb', [
      '-D',
      dir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
  } else {
    const dataVersion = readFileSync(versionFile, 'utf8').trim();
    if (dataVersion !== version) {
      throw new Error(
        `${dir} holds a PostgreSQL ${dataVersion} cluster, but ${binDir} is PostgreSQL ${version}. Use PostgreSQL ${dataVersion} binaries, or remove the directory (its data is lost).`,
      );
    }
  }
  await clearLeftoverServer(dir, pgCtl, log);
  await assertPortFree(port, host, 'PostgreSQL', 'Pass another `port`, or stop the other server.');

  log(
    `starting PostgreSQL ${version} on ${host}:${port} (data ${displayPath(dir)}${durable ? '' : ', fsync off'})...`,
  );
  const startArgs = [
    'start',
    '-w',
    '-t',
    '60',
    '-D',
    dir,
    '-l',
    logFile,
    '-o',
    serverOptions({ host, port, durable, settings }),
  ];
  try {
    await pgCtl(startArgs);
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start on ${host}:${port}; ${logFile}:\n${indent(tailFile(logFile))}`,
      { cause: error },
    );
  }

  let stopped;
  return {
    adminUrl: `postgres://postgres@${host.includes(':') ? `[${host}]` : host}:${port}/postgres`,
    host,
    port,
    dir,
    logFile,
    stop(mode = 'fast') {
      // Idempotent: shutdown paths (signals, failures, teardown) may overlap.
      stopped ??= existsSync(join(dir, 'postmaster.pid'))
        ? pgCtl(['stop', '-D', dir, '-m', mode, '-w', '-t', '60']).then(() => undefined)
        : Promise.resolve();
      return stopped;
    },
  };
}
