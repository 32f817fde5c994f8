import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, type LogLevel } from '@presence/kit';
import { createDatabase } from '@presence/store';
import { appendHistory, writePartition } from '../read-models/projection.js';
import type { PresenceDatabase } from '../read-models/tables.js';
import type { FactMessage } from './codec.js';
import { createPartitionReplays } from './partition-replays.js';
import type { FoldRequest, FoldWorkerData, FoldReply, PackedBatch } from './fold-protocol.js';

/**
 * A rebuild's fold worker (a thread): folds the partitions it was given from the batches the
 * reader sends it, and writes their history into `presence_history_next` itself (its own
 * connection) as it goes, so the reader thread only reads and routes.
 */
const data = workerData as FoldWorkerData;
const port = parentPort!;
const logger = createLogger({ service: 'presence-aggregator', level: data.logLevel as LogLevel });
const db = createDatabase<PresenceDatabase>({
  url: data.databaseUrl,
  schema: data.schema,
  poolSize: 1,
  applicationName: 'presence-aggregator rebuild',
});
const replays = createPartitionReplays(data.partitions, logger.child({ worker: data.index }));
/** History is written once this much is folded: memory stays bounded, writes stay large. */
const HISTORY_FLUSH = 20_000;

/** A message as the reader packed it; its append time is only read when it lacks its own. */
class PackedMessage implements FactMessage {
  constructor(
    readonly seq: number,
    readonly subject: string,
    readonly data: Uint8Array,
    private readonly storedAtMs: number,
  ) {}

  get storedAt(): Date {
    return new Date(this.storedAtMs);
  }
}

function unpack(batch: PackedBatch): PackedMessage[] {
  const messages: PackedMessage[] = [];
  let start = 0;
  for (let i = 0; i < batch.subjects.length; i++) {
    const end = batch.ends[i]!;
    messages.push(
      new PackedMessage(
        batch.seqs[i]!,
        batch.subjects[i]!,
        batch.data.subarray(start, end),
        batch.storedAt[i]!,
      ),
    );
    start = end;
  }
  return messages;
}

/** The history write in flight: folding goes on meanwhile (one write at a time). */
let writing: Promise<void> = Promise.resolve();

async function writeHistory(): Promise<void> {
  await writing;
  const taken = replays.take({ rows: false });
  writing = (async () => {
    for (const { changes } of taken) {
      for (let i = 0; i < changes.length; i += 5000) {
        await appendHistory(db, changes.slice(i, i + 5000));
      }
    }
  })();
  // Failures surface at the next await of `writing`; until then they are not unhandled.
  writing.catch(() => undefined);
}

async function handle(request: FoldRequest): Promise<FoldReply> {
  switch (request.type) {
    case 'batch': {
      const folded = replays.fold(unpack(request.batch), request.batch.partitions);
      if (replays.pendingHistory() >= HISTORY_FLUSH) await writeHistory();
      return { type: 'done', id: request.id, folded };
    }
    case 'finish': {
      // The bulk load's end: the rest of the history (before the key exists), then every row.
      await writeHistory();
      await writing;
      for (const write of replays.take({ rows: true })) {
        const records = [...write.records];
        for (let i = 0; i < records.length; i += 5000) {
          await writePartition(
            db,
            { partition: write.partition, records: records.slice(i, i + 5000), changes: [] },
            'next',
          );
        }
      }
      return { type: 'done', id: request.id, rows: replays.rows() };
    }
    case 'take':
      await writing;
      return { type: 'done', id: request.id, writes: replays.take({ rows: true }) };
    case 'close':
      await db.destroy();
      return { type: 'done', id: request.id };
  }
}

// One request at a time, in order: a batch is folded only after the one before it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: FoldRequest) => {
  queue = queue.then(async () => {
    try {
      port.postMessage(await handle(request));
    } catch (error) {
      port.postMessage({ type: 'failed', id: request.id, error: String((error as Error).stack) });
    }
  });
});
