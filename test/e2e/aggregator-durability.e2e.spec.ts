import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import {
  createTestDatabase,
  startNatsServer,
  type NatsServerHandle,
  type TestDatabase,
} from '@presence/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presenceAdmin } from '../support/admin.js';
import { deviceLog, type DeviceLog } from '../support/device-events.js';
import { runServiceCommand, startService, type ServiceProcess } from '../support/services.js';
import { eventually } from '../support/system.js';

/**
 * The aggregator against real nats-server and PostgreSQL, as processes: killed with SIGKILL in the
 * middle of its batches it loses nothing and doubles nothing, and replicas share partitions
 * through leases, taking over a dead replica's partitions.
 */
const PARTITIONS = 4;
let nats: NatsServerHandle;
let database: TestDatabase;
let pool: pg.Pool;
let log: DeviceLog;
let env: Record<string, string>;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  database = await createTestDatabase('aggregator');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  env = {
    NATS_URL: nats.url,
    DATABASE_URL: database.url,
    PRESENCE_PARTITIONS: String(PARTITIONS),
    AGGREGATOR_LEASE_TTL_MS: '2000',
    // The test appends as gateway `gw-test`, which never heart-beats.
    GATEWAY_LIVENESS_TIMEOUT_MS: '300000',
  };
  log = await deviceLog(nats.url, PARTITIONS);
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  await log?.close();
  await pool?.end();
  await database?.drop();
  await nats?.stop();
});

async function start(overrides: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = await startService('presence-aggregator', { ...env, ...overrides });
  running.push(service);
  return service;
}

async function checkpoints(): Promise<bigint[]> {
  const { rows } = await pool.query<{ projection: string; position: string }>(
    `select projection, position::text from presence.projection_checkpoints where projection like 'user_presence/p%'`,
  );
  const positions = Array.from({ length: PARTITIONS }, () => 0n);
  for (const row of rows) positions[Number(row.projection.split('/p')[1])] = BigInt(row.position);
  return positions;
}

async function heads(): Promise<bigint[]> {
  const jsm = await jetstreamManager(log.nc);
  return Promise.all(
    Array.from({ length: PARTITIONS }, async (_, p) => {
      const last = await jsm.streams
        .getMessage('DEVICE_EVENTS', { last_by_subj: `device.v1.${p}.*` })
        .catch(() => null);
      return last ? BigInt(last.seq) : 0n;
    }),
  );
}

async function caughtUp(): Promise<boolean> {
  const [done, head] = await Promise.all([checkpoints(), heads()]);
  return done.every((position, p) => position >= head[p]!);
}

/**
 * Caught up and quiet: the test's events are minutes old by the wall clock, so every device's idle
 * timer is due at once and the aggregator appends those facts after it catches up. Once no user is
 * online any more nothing is left to expire, and the log, the rows and the history stop moving.
 */
async function settled(): Promise<boolean> {
  if (!(await caughtUp())) return false;
  const { rows: online } = await pool.query<{ n: string }>(
    `select count(*)::text as n from presence.user_presence where presence = 'online'`,
  );
  return online[0]!.n === '0' && (await caughtUp());
}

async function rows(): Promise<string[]> {
  const { rows: result } = await pool.query<{ row: string }>(
    'select row_to_json(t)::text as row from presence.user_presence t order by user_id',
  );
  return result.map((r) => r.row);
}

async function historyRows(): Promise<string[]> {
  const { rows: result } = await pool.query<{ row: string }>(
    `select row_to_json(t)::text as row from presence.presence_history t
      order by user_id, changed_at, version`,
  );
  return result.map((r) => r.row);
}

/** Connects, is active on and (for some) says goodbye to devices of `users` users. */
async function traffic(prefix: string, users: number): Promise<void> {
  const all: Promise<bigint>[] = [];
  for (let u = 0; u < users; u += 1) {
    const user = `${prefix}-${u}`;
    all.push(log.connected(user, 'laptop', `${user}-s1`));
    all.push(log.activity(user, 'laptop', `${user}-s1`));
    all.push(log.connected(user, 'phone', `${user}-s2`));
    if (u % 3 === 0) all.push(log.goodbye(user, 'laptop', `${user}-s1`));
    if (all.length >= 400) await Promise.all(all.splice(0));
  }
  await Promise.all(all);
}

describe('presence-aggregator durability', () => {
  it('killed with SIGKILL mid-batch and restarted: nothing lost, nothing doubled, replay-identical', async () => {
    // Snapshots every 500 events per partition: the restart resumes from one older than the
    // checkpoint and re-folds the rest silently.
    let aggregator = await start({ AGGREGATOR_SNAPSHOT_EVERY: '500' });
    const publishing = traffic('crash', 3000);
    const snapshots = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            'select count(*)::text as n from presence.partition_snapshots',
          )
        ).rows[0]!.n,
      );
    await eventually(async () => (await snapshots()) > 0, 20_000, 'the first snapshot');
    await aggregator.kill();
    await publishing;
    aggregator = await start({ AGGREGATOR_SNAPSHOT_EVERY: '500' });
    await eventually(settled, 60_000, 'every partition checkpoint at its head, every timer fired');

    const live = await rows();
    expect(live).toHaveLength(3000);
    const published = await log.presenceChanges();
    const { rows: history } = await pool.query<{ user_id: string; n: string }>(
      'select user_id, count(*)::text as n from presence.presence_history group by user_id',
    );
    const historyCount = new Map(history.map((row) => [row.user_id, Number(row.n)]));
    for (const row of live) {
      const {
        user_id: user,
        version,
        presence,
      } = JSON.parse(row) as {
        user_id: string;
        version: number;
        presence: string;
      };
      const changes = published.get(user) ?? [];
      const versions = changes.map((change) => Number(change.view!.version));
      // Strictly increasing: no change published twice, none out of order.
      expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
      // The last published view is the one in the read model: nothing lost.
      expect(versions.at(-1)).toBe(Number(version));
      expect(changes.at(-1)!.view!.presence).toBe(
        { online: 1, away: 2, busy: 3, offline: 4 }[presence],
      );
      expect(historyCount.get(user)).toBe(changes.length);
    }

    const liveHistory = await historyRows();
    // Two fold threads: partitions split between them, history and rows written by both.
    const rebuilt = await runServiceCommand('presence-aggregator', ['rebuild'], {
      ...env,
      AGGREGATOR_REBUILD_THREADS: '2',
    });
    expect(rebuilt.code, rebuilt.stdout + rebuilt.stderr).toBe(0);
    expect(await rows()).toEqual(live);
    expect(await historyRows()).toEqual(liveHistory);
  }, 120_000);

  it('a blue/green RebuildProjection under live traffic swaps in tables equal to a replay', async () => {
    const aggregator = running.at(-1)!;
    const admin = presenceAdmin(aggregator.grpcPort);
    const rebuild = () =>
      new Promise<{ eventsReplayed: string }>((resolve, reject) =>
        admin.client.rebuildProjection({ projection: '' }, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      );
    const [result] = await Promise.all([rebuild(), traffic('during', 1500)]);
    expect(Number(result.eventsReplayed)).toBeGreaterThan(0);
    await eventually(settled, 30_000, 'live traffic folded after the swap, every timer fired');
    const live = await rows();
    expect(live.filter((row) => row.includes('"user_id":"during-'))).toHaveLength(1500);
    await rebuild();
    expect(await rows()).toEqual(live);
    admin.close();
  }, 120_000);

  it('two replicas share the partitions; when one dies the other takes them over within 10 s', async () => {
    await Promise.all(running.splice(0).map((service) => service.stop()));
    // The default lease TTL (6 s): the takeover must fit the rule's 10 s as deployed.
    const defaults = { AGGREGATOR_LEASE_TTL_MS: '6000' };
    const first = await start(defaults);
    const second = await start(defaults);
    await eventually(
      async () => {
        const owners = Object.values(await log.leases());
        const counts = [...new Set(owners)].map((o) => owners.filter((x) => x === o).length);
        return owners.length === PARTITIONS && counts.length === 2 && counts.every((c) => c === 2);
      },
      20_000,
      'two replicas owning two partitions each',
    );
    await traffic('shared', 400);
    await eventually(caughtUp, 30_000, 'both replicas caught up');

    const killedAt = Date.now();
    await second.kill();
    running.splice(running.indexOf(second), 1);
    await eventually(
      async () => {
        const owners = Object.values(await log.leases());
        return owners.length === PARTITIONS && new Set(owners).size === 1;
      },
      10_000,
      'the survivor owning every partition',
    );
    expect(Date.now() - killedAt).toBeLessThan(10_000);

    await traffic('after', 400);
    await eventually(caughtUp, 30_000, 'the survivor folding every partition');
    const { rows: after } = await pool.query<{ n: string }>(
      `select count(*)::text as n from presence.user_presence where user_id like 'after-%'`,
    );
    expect(after[0]!.n).toBe('400');
    expect(first.output()).toContain('acquired partition');
  }, 120_000);
});
