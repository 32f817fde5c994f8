import type { PartitionWrite } from '../read-models/projection.js';

/** What a rebuild's fold worker is started with. */
export interface FoldWorkerData {
  readonly index: number;
  readonly partitions: readonly number[];
  readonly databaseUrl: string;
  readonly schema: string;
  readonly logLevel: string;
}

/**
 * Messages of one batch for one worker, in columns: a few typed arrays and one buffer of payloads
 * (`ends[i]` is where message i's bytes end) cost far less to pass between threads than objects.
 */
export interface PackedBatch {
  readonly partitions: Uint16Array;
  readonly seqs: Float64Array;
  readonly storedAt: Float64Array;
  readonly subjects: readonly string[];
  readonly ends: Uint32Array;
  readonly data: Uint8Array;
}

export type FoldRequest =
  | { readonly type: 'batch'; readonly id: number; readonly batch: PackedBatch }
  /** Write the rest of the history, then the rows of every user with a view. */
  | { readonly type: 'finish'; readonly id: number }
  /** Hand over what was folded since (history and moved users) for the caller to write. */
  | { readonly type: 'take'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

export type FoldReply =
  | {
      readonly type: 'done';
      readonly id: number;
      readonly folded?: number;
      readonly rows?: number;
      readonly writes?: PartitionWrite[];
    }
  | { readonly type: 'failed'; readonly id: number; readonly error: string };
