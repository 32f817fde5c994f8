import { checkpointMigrations } from '@presence/store';
import type { Migration } from 'kysely';

/** The `webhooks` schema, oldest first. Its read models arrive with the service's rules. */
export const migrations: Readonly<Record<string, Migration>> = {
  ...checkpointMigrations,
};
