// Finds nats-server and PostgreSQL, installing the Debian packages when they are missing. Nothing
// is downloaded from the internet: apt is the only source, and where we cannot use it we say
// exactly what to run.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable, isRoot, run } from './process.mjs';

const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin'];
const PG_ROOT = '/usr/lib/postgresql';

function aptCommand(pkg) {
  return `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkg}`;
}

async function canSudo() {
  if (!findExecutable('sudo')) return false;
  return run('sudo', ['-n', 'true']).then(
    () => true,
    () => false,
  );
}

/**
 * Installs a Debian package with apt-get: directly when root, through `sudo -n` (never prompts)
 * otherwise. Throws an Error naming the package and the command to run when neither works.
 */
async function aptInstall(pkg, what, log) {
  const missing = `${what} is not installed and cannot be installed automatically`;
  if (!findExecutable('apt-get', SBIN_DIRS)) {
    throw new Error(
      `${missing} (no apt-get here). Install the Debian package "${pkg}" or its equivalent for your system.`,
    );
  }
  const viaSudo = !isRoot();
  if (viaSudo && !(await canSudo())) {
    throw new Error(
      `${missing} (not root, and sudo needs a password). Run:\n    ${aptCommand(pkg)}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) =>
    viaSudo
      ? run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], {
          inherit: true,
        })
      : run('apt-get', args, { inherit: true, env });
  log(
    `${what} not found: installing the Debian package "${pkg}" (apt-get${viaSudo ? ' via sudo' : ''})...`,
  );
  try {
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', pkg]);
  } catch (error) {
    throw new Error(`installing "${pkg}" failed; install it by hand:\n    ${aptCommand(pkg)}`, {
      cause: error,
    });
  }
}

/**
 * The path of the nats-server binary (searched in PATH, /usr/sbin and /usr/local/sbin), installing
 * the Debian package `nats-server` when it is missing.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<string>}
 */
export async function ensureNatsServer({ log = () => undefined } = {}) {
  const found = findExecutable('nats-server', SBIN_DIRS);
  if (found) return found;
  await aptInstall('nats-server', 'nats-server', log);
  const installed = findExecutable('nats-server', SBIN_DIRS);
  if (!installed)
    throw new Error(
      `the package "nats-server" was installed, but no nats-server binary was found in PATH or ${SBIN_DIRS.join(', ')}`,
    );
  return installed;
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or else PATH's. */
function findPostgresBinDir() {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const binDir = join(PG_ROOT, version, 'bin');
    if (existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'pg_ctl'))) return binDir;
  }
  // Outside Debian (Homebrew, other distributions) the tools are usually on PATH.
  const initdb = findExecutable('initdb');
  if (initdb && findExecutable('pg_ctl')) return dirname(initdb);
  return undefined;
}

/**
 * The directory holding PostgreSQL's server binaries (initdb, pg_ctl, postgres, psql), installing
 * the Debian package `postgresql` when none is found. We only use the binaries: the cluster that
 * the package creates and starts for itself is never used.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ binDir: string }>}
 */
export async function ensurePostgres({ log = () => undefined } = {}) {
  const found = findPostgresBinDir();
  if (found) return { binDir: found };
  await aptInstall('postgresql', 'PostgreSQL (initdb, pg_ctl)', log);
  const installed = findPostgresBinDir();
  if (!installed)
    throw new Error(
      `the package "postgresql" was installed, but no ${PG_ROOT}/<version>/bin with initdb and pg_ctl was found`,
    );
  return { binDir: installed };
}
