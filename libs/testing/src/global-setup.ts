import { ensurePostgres, startThrowawayPostgres } from '@presence/local';
import type { PostgresServer } from '@presence/local';
import type { TestProject } from 'vitest/node';
import { POSTGRES_ADMIN_URL } from './provided-context.js';

/**
 * Every Vitest project names this file as its globalSetup, and `vitest run` at the root runs
 * them all in one process: they share one cluster, reference-counted on globalThis (each
 * project loads its own copy of this module), and the last teardown stops it.
 */
interface SharedCluster {
  readonly server: Promise<PostgresServer>;
  users: number;
}
const SHARED = Symbol.for('@presence/testing:postgres');
type WithShared = typeof globalThis & { [SHARED]?: SharedCluster };

async function startCluster(): Promise<PostgresServer> {
  const { binDir } = await ensurePostgres({
    log: (line) => console.log(`[presence/testing] ${line}`),
  });
  return startThrowawayPostgres({ binDir });
}

async function release(holder: WithShared): Promise<void> {
  const shared = holder[SHARED];
  if (!shared || --shared.users > 0) return;
  delete holder[SHARED];
  await (await shared.server).stop();
}

/**
 * Provides `postgresAdminUrl` to the tests: PRESENCE_TEST_DATABASE_URL when set (`npm test`
 * starts one cluster for the whole run), otherwise a throwaway cluster (fsync off, ~1 s to
 * start) that the returned teardown stops and removes.
 */
export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.PRESENCE_TEST_DATABASE_URL;
  if (external) {
    project.provide(POSTGRES_ADMIN_URL, external);
    return undefined;
  }
  const holder = globalThis as WithShared;
  const shared = (holder[SHARED] ??= { server: startCluster(), users: 0 });
  shared.users += 1;
  try {
    project.provide(POSTGRES_ADMIN_URL, (await shared.server).adminUrl);
  } catch (error) {
    await release(holder).catch(() => undefined);
    throw error;
  }
  return () => release(holder);
}
