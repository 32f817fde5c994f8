import {
  connectBus,
  ensureStreams,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import { STREAMS } from '@presence/contracts';
import { ConflictError, ForbiddenError } from '@presence/domain';
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
import { decideRoom, type RoomCommand } from '../domain/decide-room.js';
import { migrations } from '../read-models/migrations.js';
import type { RoomsDatabase } from '../read-models/tables.js';
import { startRoomsLog, type RoomsLog } from './rooms-log.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
const databases: TestDatabase[] = [];
const pools: Kysely<RoomsDatabase>[] = [];
const logs: RoomsLog[] = [];
const logger = createLogger({ service: 'rooms-test', level: 'silent' });

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBus({ servers: server.url, name: 'rooms-test' });
  await ensureStreams(nc, [STREAMS.ROOMS]);
  js = jetstream(nc);
}, 60_000);

afterAll(async () => {
  for (const log of logs) await log.stop();
  for (const pool of pools) await pool.destroy();
  for (const database of databases) await database.drop();
  await nc?.close();
  await server?.stop();
});

/** A rooms log on a database of its own (a replica, or a replay from the start). */
async function startLog(name: string): Promise<{ log: RoomsLog; db: Kysely<RoomsDatabase> }> {
  const database = await createTestDatabase(name);
  databases.push(database);
  const db = createDatabase<RoomsDatabase>({ url: database.url, schema: 'rooms', poolSize: 2 });
  pools.push(db);
  await migrateToLatest(db, { schema: 'rooms', migrations });
  const log = await startRoomsLog({ nc, js, db, logger });
  logs.push(log);
  return { log, db };
}

const run = (log: RoomsLog, roomId: string, actor: string, command: RoomCommand) =>
  log.append(roomId, actor, (state) => decideRoom(state, command));

/** Both tables as text, in key order: what "the same read model" means. */
async function dump(db: Kysely<RoomsDatabase>): Promise<string> {
  const rooms = await sql`select * from rooms order by room_id`.execute(db);
  const members = await sql`select * from room_members order by room_id, kind, member_id`.execute(
    db,
  );
  return JSON.stringify({ rooms: rooms.rows, members: members.rows });
}

const roomsHead = async () =>
  (await (await jetstreamManager(nc)).streams.info('ROOMS')).state.last_seq;

describe('rooms log (ROOMS stream -> rooms, room_members)', () => {
  let primary: { log: RoomsLog; db: Kysely<RoomsDatabase> };

  beforeAll(async () => {
    primary = await startLog('rooms_a');
  });

  it('answers once the facts are folded and their rows written', async () => {
    const state = await run(primary.log, 'r1', 'ann', {
      type: 'CreateRoom',
      name: 'Launch',
      creatorId: 'ann',
      memberIds: ['bob'],
    });
    expect(state.members.get('ann')?.role).toBe('admin');
    await run(primary.log, 'r1', 'ann', { type: 'AddMembers', actorId: 'ann', userIds: ['cy'] });
    await run(primary.log, 'r1', 'bob', { type: 'CloseRoom', userId: 'bob', deviceId: 'phone' });
    await run(primary.log, 'r1', 'cy', { type: 'LeaveRoom', userId: 'cy' });
    const rows = await primary.db
      .selectFrom('room_members')
      .select(['member_id', 'role', 'open'])
      .where('room_id', '=', 'r1')
      .orderBy('member_id')
      .execute();
    expect(rows).toEqual([
      { member_id: 'ann', role: 'admin', open: true },
      { member_id: 'bob', role: 'member', open: false },
    ]);
    const room = await primary.db.selectFrom('rooms').selectAll().execute();
    expect(room).toEqual([
      { room_id: 'r1', name: 'Launch', invite_policy: 'admins', version: expect.any(String) },
    ]);
  });

  it('a refused command appends nothing and changes no row', async () => {
    const head = await roomsHead();
    const before = await dump(primary.db);
    await expect(
      run(primary.log, 'r1', 'bob', { type: 'AddMembers', actorId: 'bob', userIds: ['dan'] }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      run(primary.log, 'r1', 'ann', { type: 'LeaveRoom', userId: 'ann' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await roomsHead()).toBe(head);
    expect(await dump(primary.db)).toBe(before);
  });

  it('two replicas changing one room at once: each decides on the other`s facts, none is lost', async () => {
    const replica = await startLog('rooms_b');
    await run(primary.log, 'r2', 'ann', {
      type: 'CreateRoom',
      name: 'Ops',
      creatorId: 'ann',
      memberIds: [],
    });
    await Promise.all(
      ['u1', 'u2', 'u3', 'u4'].map((user, i) =>
        run(i % 2 === 0 ? primary.log : replica.log, 'r2', 'ann', {
          type: 'AddMembers',
          actorId: 'ann',
          userIds: [user],
        }),
      ),
    );
    const members = (log: RoomsLog) => [...log.room('r2')!.state.members.keys()].sort();
    await expect.poll(() => members(replica.log)).toEqual(['ann', 'u1', 'u2', 'u3', 'u4']);
    await expect.poll(() => members(primary.log)).toEqual(['ann', 'u1', 'u2', 'u3', 'u4']);
  });

  it('replaying the stream into empty tables gives the same rows, byte for byte', async () => {
    const head = await roomsHead();
    const replay = await startLog('rooms_replay');
    expect(replay.log.room('r1')?.version).toBeDefined();
    await expect.poll(async () => (await dump(replay.db)) === (await dump(primary.db))).toBe(true);
    expect(await roomsHead()).toBe(head);
    expect(await dump(replay.db)).toBe(await dump(primary.db));
  });
});
