// A disposable PostgreSQL cluster for test runs: fsync off, free port, temp dir removed on stop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres.mjs';
import { isRoot, run } from './process.mjs';

/**
 * Starts a throwaway cluster (durable=false, a free port, `max_connections` 300 because parallel
 * test files each hold a pool) in a fresh directory under the OS temp dir. Its `stop()` also
 * removes that directory. See index.d.mts.
 * @param {{ binDir?: string, host?: string, log?: (line: string) => void }} [options]
 */
export async function startThrowawayPostgres({ binDir, host = '127.0.0.1', log } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'presence-pg-'));
  const remove = () => rmSync(tmp, { recursive: true, force: true });
  try {
    // mkdtemp makes a 0700 dir: as root PostgreSQL runs as postgres, which must be able to enter it.
    if (isRoot()) await run('chown', ['postgres:postgres', tmp]);
    const settings = { max_connections: 300 };
    const server = await startPostgres({
      dir: join(tmp, 'data'),
      host,
      binDir,
      durable: false,
      settings,
      log,
    });
    let stopped;
    return {
      ...server,
      stop(mode = 'fast') {
        stopped ??= server.stop(mode).finally(remove);
        return stopped;
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
