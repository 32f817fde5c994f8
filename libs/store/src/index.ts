export { freshEvents, type Sequenced } from './batch.js';
export { lockCheckpoint, readCheckpoint } from './checkpoint.queries.js';
export {
  checkpointMigrations,
  type CheckpointTable,
  type CheckpointTables,
} from './checkpoint.table.js';
export { type PgColumns, type PgColumnType } from './column-encoding.js';
export { createDatabase, type DatabaseOptions, ensureSchema, pingDatabase } from './database.js';
export type { DatabaseOrTransaction } from './executor.js';
export {
  CheckpointConflictError,
  isCheckpointConflictError,
  isMigrationError,
  MigrationError,
} from './errors.js';
export {
  type MigrateOptions,
  migrateDown,
  type Migrations,
  migrateToLatest,
} from './migrations.js';
export {
  type CommitResult,
  createProjectionWriter,
  type ProjectionWriter,
} from './projection-writer.js';
export { createTableLike, swapTables, type TablePair } from './rebuild.js';
export { SCHEMA_NAME_PATTERN } from './schema-name.js';
export {
  deleteRows,
  type DeleteRowsOptions,
  insertJsonRows,
  upsertJsonRows,
  type UpsertJsonRowsOptions,
  upsertRows,
  type UpsertRowsOptions,
} from './upsert-rows.js';
