// Small process helpers shared by the bootstrap modules: run a command (optionally as the
// `postgres` user), find executables, wait for a child to exit, read the end of a log file.
import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';

/** True when this process runs as root (PostgreSQL refuses to run as root, apt needs it). */
export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * @typedef {object} RunOptions
 * @property {boolean} [asPostgres] run as the postgres user when we are root
 * @property {boolean} [inherit] stream output to our terminal instead of capturing it
 * @property {NodeJS.ProcessEnv} [env]
 * @property {string} [cwd]
 */

/**
 * Runs a command to completion. Output is captured (and returned) unless `inherit` is set, in
 * which case it streams to our terminal (npm ci, apt-get: long and worth watching).
 * `asPostgres` wraps the command in `runuser -u postgres --` when we are root, because initdb,
 * pg_ctl and postgres refuse to run as root; as any other user they run directly.
 * Rejects with an Error holding the command, exit code and captured output.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<string>} the captured output ('' when inherited)
 */
export function run(command, args, { asPostgres = false, inherit = false, env, cwd } = {}) {
  const [file, argv] =
    asPostgres && isRoot()
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
  return new Promise((resolve, reject) => {
    // cwd '/' for postgres: runuser keeps our cwd, which the postgres user often cannot enter (/root).
    const child = spawn(file, argv, {
      cwd: cwd ?? (asPostgres ? '/' : undefined),
      env: env ?? process.env,
      stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', (error) =>
      reject(commandError(file, argv, `could not run: ${error.message}`, output, error)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else
        reject(
          commandError(
            file,
            argv,
            signal ? `killed by ${signal}` : `exited with code ${code}`,
            output,
          ),
        );
    });
  });
}

function commandError(file, argv, what, output, cause) {
  const shown = [file, ...argv].join(' ');
  const detail = output.trim() ? `\n${indent(output.trim())}` : '';
  return Object.assign(new Error(`\`${shown}\` ${what}${detail}`, cause ? { cause } : undefined), {
    output,
  });
}

/** Indents every line of a multi-line text for nesting inside an error message. */
export function indent(text, prefix = '    ') {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** The absolute path of an executable found in PATH or in `extraDirs`, or undefined. */
export function findExecutable(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/**
 * Resolves with `{ code, signal }` when the child exits, or with undefined after `timeoutMs`.
 * Resolves at once when it has already exited.
 */
export function waitForExit(child, timeoutMs = Infinity) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => resolve(undefined), timeoutMs)
      : undefined;
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** The last `maxLines` lines of a (log) file, or '' when it cannot be read. */
export function tailFile(path, maxLines = 20) {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, 16_384);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer.toString('utf8').trimEnd().split('\n').slice(-maxLines).join('\n');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `dir` relative to the working directory when it lies below it (shorter progress lines). */
export function displayPath(dir) {
  const shown = relative(process.cwd(), dir);
  return shown && !shown.startsWith('..') ? shown : dir;
}
