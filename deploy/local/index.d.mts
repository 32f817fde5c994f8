// Hand-written declarations for index.mjs (the package is plain JavaScript so that it runs before
// `npm install`). Keep them in step with the implementation.

/** Receives one human-readable progress line ("starting nats-server 2.9.10 on ..."). */
export type Log = (line: string) => void;

/**
 * Makes sure `root/node_modules` matches `root/package-lock.json`: runs `npm ci` when
 * node_modules is missing or the lock file changed since the last install (a sha256 of the lock
 * file is kept in `node_modules/.presence-install-stamp`; an install made by hand after the last
 * lock change also counts), `npm install` when there is no lock file. npm's output streams to the
 * terminal. `PRESENCE_SKIP_INSTALL=1` skips the check.
 */
export function ensureNodeModules(root: string, options?: { log?: Log }): Promise<void>;

/**
 * Path of the nats-server binary (PATH, /usr/sbin, /usr/local/sbin). When missing, installs the
 * Debian package `nats-server` with apt-get (as root, or through `sudo -n`); otherwise throws an
 * Error naming the package and the command to run.
 */
export function ensureNatsServer(options?: { log?: Log }): Promise<string>;

/**
 * The newest `/usr/lib/postgresql/<version>/bin` with initdb and pg_ctl (or the directory of
 * initdb on PATH). When missing, installs the Debian package `postgresql` like
 * {@link ensureNatsServer}. Its system cluster is never used.
 */
export function ensurePostgres(options?: { log?: Log }): Promise<{ binDir: string }>;

/** A TCP port that is free on `host` (default 127.0.0.1) right now. */
export function freePort(host?: string): Promise<number>;

/**
 * True for errors raised because a port is already in use (`code: 'EADDRINUSE'`, with `port`);
 * callers add which option or environment variable picks another port.
 */
export function isPortInUseError(
  error: unknown,
): error is Error & { code: 'EADDRINUSE'; port?: number; summary?: string };

export interface StartNatsOptions {
  /** Holds nats.conf, nats.log and the JetStream store (`dir/jetstream`); created if missing. */
  dir: string;
  /** Listen address for clients and monitoring. Default 127.0.0.1. */
  host?: string;
  /** Client port. Default: a free port. */
  port?: number;
  /** HTTP monitoring port (/healthz, /varz, /jsz). Default: a free port. */
  monitorPort?: number;
  /** nats-server binary. Default: {@link ensureNatsServer}. */
  binary?: string;
  /** Enable JetStream. Default true. */
  jetstream?: boolean;
  /** JetStream memory limit (nats units: 512M, 1G). Default 1G: JetStream otherwise claims 75% of RAM. */
  maxMemoryStore?: string;
  /** JetStream file store limit. Default 10G: JetStream otherwise claims 75% of the disk. */
  maxFileStore?: string;
  /**
   * Own process group, so a terminal Ctrl-C does not reach nats-server and the caller can stop
   * it after its clients. Default false (it then dies with its parent's process group).
   */
  detached?: boolean;
  log?: Log;
}

export interface NatsServer {
  /** `nats://host:port` */
  readonly url: string;
  readonly port: number;
  /** `http://host:monitorPort` */
  readonly monitorUrl: string;
  readonly monitorPort: number;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process exits, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) without waiting; see {@link NatsServer.exited}. */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Writes `dir/nats.conf` (listen address, monitoring, JetStream with explicit limits), starts
 * nats-server logging to `dir/nats.log`, and resolves when `/healthz?js-enabled-only=true`
 * answers 200 (about 40 ms). Fails with the log tail after 15 s, or at once when the process
 * exits; a port in use fails with an {@link isPortInUseError} error naming the port. A
 * nats-server still running with this `dir`'s config (left over from a killed run, found through
 * `dir/nats.pid`) is stopped first.
 */
export function startNats(options: StartNatsOptions): Promise<NatsServer>;

export interface StartPostgresOptions {
  /** Data directory; initdb runs when it has no PG_VERSION, otherwise its data is kept. */
  dir: string;
  /** listen_addresses (loopback TCP only, no Unix socket). Default 127.0.0.1. */
  host?: string;
  /** Default: a free port. */
  port?: number;
  /** Directory of initdb/pg_ctl/psql. Default: {@link ensurePostgres}. */
  binDir?: string;
  /** false turns off fsync, synchronous_commit and full_page_writes (throwaway test clusters). Default true. */
  durable?: boolean;
  /** Extra server settings passed as `-c name=value` (e.g. `{ max_connections: 300 }`). */
  settings?: Record<string, string | number>;
  /** Server log. Default `postgres.log` next to `dir` (outside the data directory). */
  logFile?: string;
  log?: Log;
}

export interface PostgresServer {
  /** `postgres://postgres@host:port/postgres` (trust authentication, superuser). */
  readonly adminUrl: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  /** `pg_ctl stop -m <mode> -w` (default mode fast); idempotent. */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
}

/**
 * Starts a PostgreSQL cluster in `dir`, creating it first (`initdb -A trust -U postgres --no-sync
 * -E UTF8 --locale=C`) when needed, and resolves once it accepts connections. As root, the
 * directory is handed to the `postgres` user and the tools run through `runuser`; an Error
 * explains when postgres cannot reach the directory. A stale postmaster.pid is removed; a
 * server still running on `dir` (left over from an earlier run) is stopped and started again
 * with these options.
 */
export function startPostgres(options: StartPostgresOptions): Promise<PostgresServer>;

/**
 * Creates database `name` (letters, digits, `_`, `-`) unless it exists, with psql from `binDir`
 * (default: psql on PATH) against the server of `adminUrl`. Idempotent. Resolves with the URL
 * of the database.
 */
export function createDatabase(options: {
  binDir?: string;
  adminUrl: string;
  name: string;
}): Promise<string>;

/**
 * A disposable cluster for a test run: {@link startPostgres} with `durable: false`, a free port
 * and `max_connections` 300, in a fresh directory under the OS temp dir (handed to `postgres`
 * when we are root). `stop()` also removes the directory.
 */
export function startThrowawayPostgres(options?: {
  binDir?: string;
  host?: string;
  log?: Log;
}): Promise<PostgresServer>;
