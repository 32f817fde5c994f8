import pg from 'pg';
import { onCleanup } from './cleanup.js';

/**
 * The aggregator's read model as the bench sees it from outside: the per-partition checkpoints in
 * `presence.projection_checkpoints` (`user_presence/p<partition>`) and the `user_presence` rows.
 */
export interface ReadModel {
  /** Checkpoint (last folded DEVICE_EVENTS sequence) per partition; 0 before its first batch. */
  checkpoints(): Promise<number[]>;
  rows(): Promise<number>;
}

export function openReadModel(databaseUrl: string, partitions: number): ReadModel {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => undefined); // the server may go first during cleanup
  onCleanup('read-model pool', () => pool.end());
  return {
    async checkpoints() {
      const { rows } = await pool.query<{ projection: string; position: string }>(
        `select projection, position from presence.projection_checkpoints
          where projection like 'user_presence/p%'`,
      );
      const positions = Array.from({ length: partitions }, () => 0);
      for (const row of rows) {
        const partition = Number(row.projection.slice('user_presence/p'.length));
        if (partition < partitions) positions[partition] = Number(row.position);
      }
      return positions;
    },
    async rows() {
      const { rows } = await pool.query<{ n: string }>(
        'select count(*) as n from presence.user_presence',
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
