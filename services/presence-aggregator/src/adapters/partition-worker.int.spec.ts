import { Registry } from 'prom-client';
import {
  connectBus,
  ensureStreams,
  jetstream,
  jetstreamManager,
  publishEvent,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import {
  DeviceEvent,
  DisconnectReason,
  Platform,
  Presence,
  PresenceChanged,
  STREAMS,
  subjects,
} from '@presence/contracts';
import { createLogger } from '@presence/kit';
import { createDatabase, migrateToLatest } from '@presence/store';
import {
  createTestDatabase,
  startNatsServer,
  type NatsServerHandle,
  type TestDatabase,
} from '@presence/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../read-models/migrations.js';
import type { PresenceDatabase } from '../read-models/tables.js';
import { createAggregatorMetrics } from './metrics.js';
import { createPartitionFeed } from './partition-feed.js';
import { startPartitionWorker, type PartitionWorker } from './partition-worker.js';
import { startWorkspaceFollower, type WorkspaceFollower } from './workspace-follower.js';

/**
 * The timer adapter with a fake clock against real nats-server and PostgreSQL: due facts are
 * appended exactly when due (the boundary counts), once, with the due time as their time.
 */
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
let now = T0;
let lostGateways: string[] = [];
let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let database: TestDatabase;
let db: Kysely<PresenceDatabase>;
let workspace: WorkspaceFollower;
let worker: PartitionWorker;
const logger = createLogger({ service: 'aggregator-test', level: 'silent' });

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBus({ servers: server.url, name: 'aggregator-test' });
  await ensureStreams(nc, [STREAMS.DEVICE_EVENTS, STREAMS.PRESENCE]);
  js = jetstream(nc);
  database = await createTestDatabase('aggregator');
  db = createDatabase<PresenceDatabase>({ url: database.url, schema: 'presence', poolSize: 2 });
  await migrateToLatest(db, { schema: 'presence', migrations });
  workspace = await startWorkspaceFollower({ nc, js, logger, minIdleTimeoutS: 60 });
  worker = await startWorker();
}, 60_000);

function startWorker(
  options: { partition?: number; commitIntervalMs?: number } = {},
): Promise<PartitionWorker> {
  return startPartitionWorker({
    nc,
    js,
    db,
    partition: options.partition ?? 0,
    logger,
    metrics: createAggregatorMetrics(new Registry()),
    workspace,
    gateways: { lost: (referenced) => [...referenced].filter((id) => lostGateways.includes(id)) },
    feed: createPartitionFeed({ nc, logger }),
    clock: () => now,
    timerTickMs: 20,
    snapshotEvery: 3,
    commitIntervalMs: options.commitIntervalMs ?? 20,
    partitions: 1,
  });
}

afterAll(async () => {
  await worker?.stop();
  await workspace?.stop();
  await db?.destroy();
  await database?.drop();
  await nc?.close();
  await server?.stop();
});

async function append(
  user: string,
  event: NonNullable<DeviceEvent['event']>,
  at: number,
  partition = 0,
) {
  const id = `${user}-${at}-${event.$case}`;
  const occurredAt = new Date(at).toISOString();
  await publishEvent(js, {
    natsSubject: subjects.device(partition, user),
    id,
    type: 'presence.v1.DeviceEvent',
    source: 'test',
    subject: user,
    time: occurredAt,
    data: DeviceEvent.encode({ eventId: id, userId: user, occurredAt, event }).finish(),
  });
}

async function presenceOf(user: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('user_presence')
    .select('presence')
    .where('user_id', '=', user)
    .executeTakeFirst();
  return row?.presence;
}

/** Every fact stored on a subject, decoded. */
async function factsOn(subject: string): Promise<DeviceEvent[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('DEVICE_EVENTS', { subjects_filter: subject });
  const facts: DeviceEvent[] = [];
  for (let seq = 1; seq <= info.state.last_seq; seq += 1) {
    const message = await jsm.streams.getMessage('DEVICE_EVENTS', { seq }).catch(() => null);
    if (message?.subject === subject) facts.push(DeviceEvent.decode(message.data));
  }
  return facts;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('timer facts (fake clock in the adapter)', () => {
  it('appends the idle timeout exactly at last activity + 300 s, once, with the due time', async () => {
    now = T0;
    await append(
      'ida',
      {
        $case: 'deviceConnected',
        value: {
          deviceId: 'laptop',
          sessionId: 's1',
          platform: Platform.PLATFORM_DESKTOP,
          gatewayId: 'gw-1',
        },
      },
      T0,
    );
    await until(async () => (await presenceOf('ida')) === 'online', 'ida online');

    now = T0 + 299_999;
    await settle();
    expect(await factsOn(subjects.device(0, 'ida'))).toHaveLength(1);
    expect(await presenceOf('ida')).toBe('online');

    now = T0 + 300_000;
    await until(async () => (await presenceOf('ida')) === 'away', 'ida away at the boundary');
    await settle();
    const facts = await factsOn(subjects.device(0, 'ida'));
    expect(facts.map((fact) => fact.event?.$case)).toEqual([
      'deviceConnected',
      'deviceIdleTimedOut',
    ]);
    expect(facts[1]!.occurredAt).toBe(new Date(T0 + 300_000).toISOString());
  });

  it('turns a lost gateway into one GatewayLost on the partition; its devices go offline', async () => {
    await append(
      'gil',
      {
        $case: 'deviceConnected',
        value: {
          deviceId: 'phone',
          sessionId: 's1',
          platform: Platform.PLATFORM_MOBILE,
          gatewayId: 'gw-doomed',
        },
      },
      now,
    );
    await until(async () => (await presenceOf('gil')) === 'online', 'gil online');
    lostGateways = ['gw-doomed'];
    await until(async () => (await presenceOf('gil')) === 'offline', 'gil offline');
    await settle();
    const lost = await factsOn(subjects.deviceAllUsers(0));
    expect(lost.filter((fact) => fact.event?.$case === 'gatewayLost')).toHaveLength(1);
  });
});

const connect = (gatewayId: string) =>
  ({
    $case: 'deviceConnected',
    value: {
      deviceId: 'laptop',
      sessionId: 's1',
      platform: Platform.PLATFORM_DESKTOP,
      gatewayId,
    },
  }) as const;

const goodbye = {
  $case: 'deviceDisconnected',
  value: {
    deviceId: 'laptop',
    sessionId: 's1',
    reason: DisconnectReason.DISCONNECT_REASON_GOODBYE,
  },
} as const;

/** The last public view published for the user (the PRESENCE stream), decoded. */
async function publishedPresenceOf(user: string): Promise<Presence | undefined> {
  const jsm = await jetstreamManager(nc);
  const last = await jsm.streams
    .getMessage('PRESENCE', { last_by_subj: subjects.presenceChanged(user) })
    .catch(() => null);
  return last ? PresenceChanged.decode(last.data).view?.presence : undefined;
}

async function checkpointOf(partition: number): Promise<string | undefined> {
  const result = await sql<{ position: string }>`select position::text from projection_checkpoints
    where projection = ${`user_presence/p${partition}`}`.execute(db);
  return result.rows[0]?.position;
}

async function lastSeqOn(subject: string): Promise<string> {
  const jsm = await jetstreamManager(nc);
  return String((await jsm.streams.getMessage('DEVICE_EVENTS', { last_by_subj: subject }))?.seq);
}

describe('commits, off the path of the changes', () => {
  /**
   * The user comes online (the partition's first commit starts at once, and writes it), then says
   * goodbye: published at once, while the row still says online until the next commit.
   */
  async function goOfflineBeforeTheNextCommit(user: string, partition: number): Promise<void> {
    await append(user, connect('gw-1'), now, partition);
    await until(async () => (await presenceOf(user)) === 'online', `${user} written online`);
    await append(user, goodbye, now, partition);
    await until(
      async () => (await publishedPresenceOf(user)) === Presence.PRESENCE_OFFLINE,
      `${user} published offline`,
    );
    expect(await presenceOf(user)).toBe('online');
  }

  it('publishes a change at once and writes its row with the next commit, at most every interval', async () => {
    const slow = await startWorker({ partition: 1, commitIntervalMs: 4_000 });
    try {
      await goOfflineBeforeTheNextCommit('ann', 1);
      await until(async () => (await presenceOf('ann')) === 'offline', 'ann written offline');
      expect(await checkpointOf(1)).toBe(await lastSeqOn(subjects.device(1, 'ann')));
    } finally {
      await slow.stop();
    }
  });

  it('on stop, writes what was folded since the last commit', async () => {
    const slow = await startWorker({ partition: 2, commitIntervalMs: 60_000 });
    await goOfflineBeforeTheNextCommit('bea', 2);
    await slow.stop();
    expect(await presenceOf('bea')).toBe('offline');
    expect(await checkpointOf(2)).toBe(await lastSeqOn(subjects.device(2, 'bea')));
  });
});

describe('snapshots', () => {
  const rows = async () =>
    (
      await sql<{
        row: string;
      }>`select row_to_json(t)::text as row from user_presence t order by user_id`.execute(db)
    ).rows.map((r) => r.row);
  const published = async () =>
    (await (await jetstreamManager(nc)).streams.info('PRESENCE')).state.messages;

  it('are written every N events and on stop, as of the checkpoint', async () => {
    for (const user of ['sam', 'sue', 'sid', 'sol']) await append(user, connect('gw-1'), now);
    await until(async () => (await presenceOf('sol')) === 'online', 'sol online');
    const snapshot = async () =>
      (
        await sql<{ position: string; users: string }>`select position::text,
          (select count(*)::text from user_snapshots where partition = 0) as users
          from partition_snapshots where partition = 0`.execute(db)
      ).rows[0];
    expect(Number((await snapshot())?.position)).toBeGreaterThan(0);
    await worker.stop();
    const checkpoint = await sql<{
      position: string;
    }>`select position::text from projection_checkpoints
      where projection = 'user_presence/p0'`.execute(db);
    expect((await snapshot())?.position).toBe(checkpoint.rows[0]?.position);
    worker = await startWorker();
  });

  it('restart from an older snapshot re-folds up to the checkpoint without republishing', async () => {
    await append('sky', connect('gw-1'), now);
    await until(async () => (await presenceOf('sky')) === 'online', 'sky online');
    await worker.stop();
    // As after a crash long after the last snapshot: everything is folded again from the log.
    await sql`delete from user_snapshots`.execute(db);
    await sql`delete from partition_snapshots`.execute(db);
    const before = { rows: await rows(), published: await published() };
    worker = await startWorker();
    await settle();
    expect(await rows()).toEqual(before.rows);
    expect(await published()).toBe(before.published);

    // The re-folded state is the real one: sky's laptop is known, so a goodbye takes sky offline.
    await append('sky', goodbye, now);
    await until(async () => (await presenceOf('sky')) === 'offline', 'sky offline');
    expect(await published()).toBe(before.published + 1);
  });
});
