import pg from 'pg';
import {
  createTestDatabase,
  startNatsServer,
  type NatsServerHandle,
  type TestDatabase,
} from '@presence/testing';
import { TEST_JWT_SECRET } from './device-client.js';
import { runServiceCommand, startService, type ServiceProcess } from './services.js';

/**
 * The presence path as it runs in production: a real nats-server, a real PostgreSQL database,
 * and the gateway and presence-aggregator as separate processes.
 */
export interface PresenceSystem {
  readonly nats: NatsServerHandle;
  readonly database: TestDatabase;
  readonly env: Record<string, string>;
  gateway: ServiceProcess;
  aggregator: ServiceProcess;
  /** `user_presence` rows as JSON text, in user order: byte-for-byte comparable. */
  presenceRows(): Promise<string[]>;
  sql<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Runs `presence-aggregator rebuild` as its own process; resolves with its exit code and result line. */
  rebuild(): Promise<{
    code: number | null;
    result: Record<string, unknown> | undefined;
    output: string;
  }>;
  stop(): Promise<void>;
}

export async function startPresenceSystem(
  extraEnv: Record<string, string> = {},
): Promise<PresenceSystem> {
  const nats = await startNatsServer();
  const database = await createTestDatabase('e2e');
  const env = {
    NATS_URL: nats.url,
    DATABASE_URL: database.url,
    PRESENCE_JWT_SECRET: TEST_JWT_SECRET,
    PRESENCE_PARTITIONS: '4',
    ...extraEnv,
  };
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const [aggregator, gateway] = await Promise.all([
    startService('presence-aggregator', env),
    startService('gateway', env),
  ]);
  const system: PresenceSystem = {
    nats,
    database,
    env,
    gateway,
    aggregator,
    async sql(text, values) {
      return (await pool.query(text, values)).rows;
    },
    async presenceRows() {
      const rows = await system.sql<{ row: string }>(
        'select row_to_json(t)::text as row from presence.user_presence t order by user_id',
      );
      return rows.map((r) => r.row);
    },
    async rebuild() {
      const { code, stdout, stderr } = await runServiceCommand(
        'presence-aggregator',
        ['rebuild'],
        env,
      );
      const line = stdout.split('\n').find((l) => l.startsWith('{"rebuilt"'));
      return {
        code,
        result: line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>),
        output: stdout + stderr,
      };
    },
    async stop() {
      await Promise.all([system.gateway.stop(), system.aggregator.stop()]);
      await pool.end();
      await database.drop();
      await nats.stop();
    },
  };
  return system;
}

/** Polls until `check` returns true (e.g. until the projection caught up). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
