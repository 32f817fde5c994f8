import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, ensurePostgres, startThrowawayPostgres } from '@presence/local';
import { startNatsServer } from '@presence/testing';
import { onCleanup } from './cleanup.js';

/** A private nats-server and a throwaway PostgreSQL cluster, both removed by the cleanup. */
export interface BenchServers {
  readonly natsUrl: string;
  readonly natsMonitorUrl: string;
  /** `postgres://postgres@127.0.0.1:<port>/bench` */
  readonly databaseUrl: string;
  /** nats-server's pid and the postmaster's (for CPU readings). */
  readonly natsPid: number;
  readonly postgresPid: number;
}

function firstLineNumber(file: string): number {
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

export async function startBenchServers(log: (line: string) => void): Promise<BenchServers> {
  const [nats, postgres] = await Promise.all([
    startNatsServer().then((server) => {
      onCleanup('nats-server', () => server.stop());
      return server;
    }),
    ensurePostgres({ log }).then(async ({ binDir }) => {
      const server = await startThrowawayPostgres({ binDir, log });
      onCleanup('postgres', () => server.stop());
      const url = await createDatabase({ binDir, adminUrl: server.adminUrl, name: 'bench' });
      return { server, url };
    }),
  ]);
  return {
    natsUrl: nats.url,
    natsMonitorUrl: nats.monitorUrl,
    databaseUrl: postgres.url,
    natsPid: firstLineNumber(join(nats.dir, 'nats.pid')),
    postgresPid: firstLineNumber(join(postgres.server.dir, 'postmaster.pid')),
  };
}
