import { spawnNode } from './child-process.js';
import { REPO_ROOT } from './config.js';
import type { RawConsumerDone, RawConsumerTask } from './raw-consumer.js';

/** A running raw-consumer.ts process, seen through its JSON lines. */
export interface RawConsumerRun {
  readonly pid: number;
  /** Resolves when its consumers exist (publishing may start), with its CPU ms until then. */
  readonly ready: Promise<number>;
  /** Resolves with its `done` line and when that line arrived; rejects if it exits without one. */
  readonly done: Promise<RawConsumerDone & { readonly arrivedAt: number }>;
  /** Messages consumed so far (its last progress line). */
  consumed(): number;
  stop(): Promise<void>;
}

export function startRawConsumer(task: RawConsumerTask): RawConsumerRun {
  const child = spawnNode({
    name: 'raw consumer',
    script: 'test/bench/raw-consumer.ts',
    args: [JSON.stringify(task)],
    cwd: REPO_ROOT,
  });
  let consumed = 0;
  let markReady: (cpuMs: number) => void = () => undefined;
  let markDone: (done: RawConsumerDone & { arrivedAt: number }) => void = () => undefined;
  const ready = new Promise<number>((resolve) => (markReady = resolve));
  const done = new Promise<RawConsumerDone & { arrivedAt: number }>((resolve, reject) => {
    markDone = resolve;
    void child.exited.then((code) =>
      reject(new Error(`raw consumer exited (${code}) before it was done:\n${child.output()}`)),
    );
  });
  // Without a `ready`, the exit rejects `done`; callers await ready with done in a race.
  void done.catch(() => undefined);
  child.onLine((line, at) => {
    if (!line.startsWith('{')) return;
    const message = JSON.parse(line) as { type: string; consumed?: number; cpuMs?: number };
    if (message.type === 'ready') markReady(message.cpuMs ?? 0);
    if (message.consumed !== undefined) consumed = message.consumed;
    if (message.type === 'done') markDone({ ...(message as RawConsumerDone), arrivedAt: at });
  });
  return {
    pid: child.pid,
    ready: Promise.race([ready, done.then(() => 0)]),
    done,
    consumed: () => consumed,
    stop: () => child.stop(2000).then(() => undefined),
  };
}
