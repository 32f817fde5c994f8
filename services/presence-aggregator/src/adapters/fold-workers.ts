import { Worker } from 'node:worker_threads';
import type { BusMessage } from '@presence/bus';
import { devicePartitionOf } from '@presence/contracts';
import type { PartitionWrite } from '../read-models/projection.js';
import type { FoldReply, FoldRequest, FoldWorkerData, PackedBatch } from './fold-protocol.js';

/** Per partition: fold the messages with after[p] < seq <= upTo[p]. */
export interface ReplayBounds {
  readonly after: readonly bigint[];
  readonly upTo: readonly bigint[];
}

/**
 * The fold threads of a rebuild: the caller's thread reads the log and routes each message to the
 * thread that owns its partition (partition mod threads), which decodes, folds and writes history.
 */
export interface FoldWorkers {
  /** Routes a batch; resolves once it may send the next (at most two batches queue per thread). */
  dispatch(batch: readonly BusMessage[], bounds: ReplayBounds): Promise<void>;
  /** Waits for every batch sent; returns the facts folded since the last drain. */
  drain(): Promise<number>;
  /** Ends the bulk load: the threads write the rest of the history and every user's row. */
  finish(): Promise<number>;
  /** What was folded since `finish` (or the last take), for the caller to write in its transaction. */
  take(): Promise<PartitionWrite[]>;
  close(): Promise<void>;
}

export interface FoldWorkersOptions {
  readonly threads: number;
  readonly partitions: number;
  readonly databaseUrl: string;
  readonly schema: string;
  readonly logLevel: string;
}

const IN_FLIGHT = 2;

export function startFoldWorkers(options: FoldWorkersOptions): FoldWorkers {
  const count = Math.max(1, Math.min(options.threads, options.partitions));
  const threads = Array.from({ length: count }, (_, index) =>
    startThread({
      index,
      partitions: range(options.partitions).filter((p) => p % count === index),
      databaseUrl: options.databaseUrl,
      schema: options.schema,
      logLevel: options.logLevel,
    }),
  );
  const inFlight: Promise<FoldReply & { type: 'done' }>[][] = threads.map(() => []);
  let folded = 0;
  const settle = (reply: FoldReply & { type: 'done' }) => (folded += reply.folded ?? 0);

  return {
    async dispatch(batch, { after, upTo }) {
      const routed: BusMessage[][] = threads.map(() => []);
      const partitionsOf: number[][] = threads.map(() => []);
      for (const message of batch) {
        const partition = devicePartitionOf(message.subject);
        if (!(message.seq > after[partition]! && message.seq <= upTo[partition]!)) continue;
        routed[partition % count]!.push(message);
        partitionsOf[partition % count]!.push(partition);
      }
      for (const [index, messages] of routed.entries()) {
        if (messages.length === 0) continue;
        const queue = inFlight[index]!;
        if (queue.length >= IN_FLIGHT) settle(await queue.shift()!);
        const packed = pack(messages, partitionsOf[index]!);
        const reply = threads[index]!.request(
          (id) => ({ type: 'batch', id, batch: packed }),
          transfers(packed),
        );
        // Awaited later (or never, when the rebuild fails first): not an unhandled rejection.
        reply.catch(() => undefined);
        queue.push(reply);
      }
    },
    async drain() {
      for (const queue of inFlight) {
        for (const reply of await Promise.all(queue.splice(0))) settle(reply);
      }
      const total = folded;
      folded = 0;
      return total;
    },
    async finish() {
      const replies = await Promise.all(
        threads.map((t) => t.request((id) => ({ type: 'finish', id }))),
      );
      return replies.reduce((sum, reply) => sum + (reply.rows ?? 0), 0);
    },
    async take() {
      const replies = await Promise.all(
        threads.map((t) => t.request((id) => ({ type: 'take', id }))),
      );
      return replies.flatMap((reply) => reply.writes ?? []);
    },
    async close() {
      await Promise.all(
        threads.map(async (t) => {
          await t.request((id) => ({ type: 'close', id })).catch(() => undefined);
          await t.worker.terminate();
        }),
      );
    },
  };
}

function pack(messages: readonly BusMessage[], partitions: readonly number[]): PackedBatch {
  const n = messages.length;
  const ends = new Uint32Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) ends[i] = bytes += messages[i]!.data.length;
  const data = new Uint8Array(bytes);
  const seqs = new Float64Array(n);
  const storedAt = new Float64Array(n);
  const subjects: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const message = messages[i]!;
    data.set(message.data, i === 0 ? 0 : ends[i - 1]);
    seqs[i] = Number(message.seq);
    storedAt[i] = message.storedAt.getTime();
    subjects[i] = message.subject;
  }
  return { partitions: Uint16Array.from(partitions), seqs, storedAt, subjects, ends, data };
}

const transfers = (batch: PackedBatch): ArrayBuffer[] =>
  [batch.partitions, batch.seqs, batch.storedAt, batch.ends, batch.data].map(
    (array) => array.buffer as ArrayBuffer,
  );

interface Thread {
  readonly worker: Worker;
  request(
    make: (id: number) => FoldRequest,
    transfer?: ArrayBuffer[],
  ): Promise<FoldReply & { type: 'done' }>;
}

function startThread(data: FoldWorkerData): Thread {
  const worker = spawnWorker(data);
  const pending = new Map<
    number,
    { resolve: (r: FoldReply & { type: 'done' }) => void; reject: (e: Error) => void }
  >();
  let broken: Error | undefined;
  let nextId = 0;
  const failAll = (error: Error) => {
    broken ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (reply: FoldReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.type === 'failed')
      waiting?.reject(new Error(`fold thread ${data.index}: ${reply.error}`));
    else waiting?.resolve(reply);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`fold thread ${data.index} exited (${code})`)));
  return {
    worker,
    request(make, transfer = []) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage(make(id), transfer);
      });
    },
  };
}

/**
 * The worker module beside this one. Run from TypeScript sources (`npm start`, the tests), the new
 * thread registers tsx first, as `--import tsx` did for the process.
 */
function spawnWorker(data: FoldWorkerData): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(`./rebuild-worker.${ts ? 'ts' : 'js'}`, import.meta.url);
  if (!ts) return new Worker(entry, { workerData: data });
  const bootstrap = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
