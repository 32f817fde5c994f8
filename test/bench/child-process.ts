import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { onCleanup } from './cleanup.js';

/** A Node.js process: from TypeScript sources (tsx), as `npm start` and the e2e tests do, or compiled. */
export interface NodeChild {
  readonly pid: number;
  /** The last ~256 KiB of stdout and stderr, for error messages. */
  output(): string;
  /** Calls `listener` with each complete stdout line (and the time it arrived). */
  onLine(listener: (line: string, at: number) => void): void;
  /** Settles with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const OUTPUT_LIMIT = 256 * 1024;

export function spawnNode(options: {
  readonly name: string;
  readonly script: string;
  readonly args?: readonly string[];
  readonly cwd: string;
  readonly env?: Record<string, string>;
  /** Extra Node.js flags (`--cpu-prof`...). */
  readonly nodeArgs?: readonly string[];
  /** A JavaScript script: run by plain Node.js, without tsx. */
  readonly compiled?: boolean;
  /** Also append everything it prints to this file. */
  readonly logFile?: string;
}): NodeChild {
  const child = spawn(
    process.execPath,
    [
      ...(options.compiled ? [] : ['--conditions=@presence/source', '--import', 'tsx']),
      ...(options.nodeArgs ?? []),
      options.script,
      ...(options.args ?? []),
    ],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile);
  let output = '';
  let partial = '';
  const listeners: ((line: string, at: number) => void)[] = [];
  const keep = (text: string) => {
    log?.write(text);
    output += text;
    if (output.length > OUTPUT_LIMIT * 2) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    const at = performance.now();
    const text = chunk.toString();
    keep(text);
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) for (const listener of listeners) listener(line, at);
  });
  child.stderr.on('data', (chunk: Buffer) => keep(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    // 'close', not 'exit': by then stdout is drained, so the last line has been seen.
    child.once('close', (code) => {
      log?.end();
      resolve(code);
    });
    child.once('error', (error) => {
      keep(`\n${error.message}\n`);
      resolve(-1);
    });
  });

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  const dispose = onCleanup(options.name, () => stop().then(() => undefined));
  void exited.then(() => dispose());

  return {
    pid: child.pid ?? -1,
    output: () => output.slice(-OUTPUT_LIMIT),
    onLine: (listener) => listeners.push(listener),
    exited,
    stop,
  };
}
