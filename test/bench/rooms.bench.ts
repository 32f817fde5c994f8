/**
 * `npm run bench:rooms`: room-membership's roster fan-out against bare JetStream, in one run.
 *
 * Two rooms shapes: one room of BENCH_ROOM_MEMBERS members, and BENCH_USERS users who are each
 * in BENCH_ROOMS rooms. Presence changes are published to PRESENCE (as the aggregator does);
 * WatchRoster streams on every room measure how many changes per second room-membership turns
 * into roster updates, and how late (change published -> `member_changed` received, HdrHistogram).
 * The raw figure is what the same JetStream publishes alone achieve here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import {
  connectBus,
  createPublisher,
  ensureStreams,
  jetstream,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import {
  Display,
  Presence,
  PresenceChanged,
  RoomServiceClient,
  STREAMS,
  subjects,
  type RosterUpdate,
} from '@presence/contracts';
import { freePort } from '@presence/local';
import type { Histogram } from 'hdr-histogram-js';
import { newHistogram, recordUs } from '../load/histograms.js';
import { spawnNode, type NodeChild } from './child-process.js';
import { cleanUp, cleanUpOnSignals, onCleanup } from './cleanup.js';
import { memoryMiB } from './proc-stats.js';
import { count, seconds, startTicker } from './progress.js';
import { startBenchServers } from './servers.js';

const env = process.env;
const ROOM_MEMBERS = Number(env['BENCH_ROOM_MEMBERS'] ?? 10_000);
const USERS = Number(env['BENCH_USERS'] ?? 10_000);
const ROOMS = Number(env['BENCH_ROOMS'] ?? 100);
/** Presence changes of the one-room shape; the many-rooms shape makes BENCH_ROOMS updates of each. */
const CHANGES = Number(env['BENCH_CHANGES'] ?? 20_000);
const CHANGES_MANY = Number(env['BENCH_CHANGES_MANY'] ?? 2_000);
/** Paced steps (5 s each) for the latency: changes/s of each shape. */
const PACED = Number(env['BENCH_PACED_RATE'] ?? 1_000);
const PACED_MANY = Number(env['BENCH_PACED_RATE_MANY'] ?? 100);
const MAX_IN_FLIGHT = 1024;
const ADD_CHUNK = 1000;
const TIMEOUT_MS = Number(env['BENCH_TIMEOUT_S'] ?? 600) * 1000;
const logDir = env['BENCH_LOG_DIR'] ?? join('/tmp', `presence-bench-rooms-${process.pid}`);

const now = () => performance.timeOrigin + performance.now();

type Call = (request: object, callback: (error: Error | null, response: unknown) => void) => void;

function unary<Res>(client: RoomServiceClient, method: string, request: object): Promise<Res> {
  const fn = (client as unknown as Record<string, Call>)[method]!.bind(client);
  return new Promise((resolve, reject) =>
    fn(request, (error, response) => (error ? reject(error) : resolve(response as Res))),
  );
}

async function startRoomMembership(natsUrl: string, databaseUrl: string) {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const child: NodeChild = spawnNode({
    name: 'room-membership',
    script: 'services/room-membership/src/main.ts',
    cwd: process.cwd(),
    env: {
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      ROOMS_HTTP_PORT: String(httpPort),
      ROOMS_GRPC_PORT: String(grpcPort),
      LOG_LEVEL: 'warn',
    },
    logFile: join(logDir, 'room-membership.log'),
  });
  onCleanup('room-membership', async () => void (await child.stop(2000)));
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`room-membership not ready:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, grpcPort };
}

/** A room of `members` (the first is its creator and admin), invited in chunks. */
async function createRoom(client: RoomServiceClient, name: string, members: readonly string[]) {
  const { roomId } = await unary<{ roomId: string }>(client, 'createRoom', {
    name,
    creatorId: members[0],
    memberIds: [],
  });
  for (let i = 1; i < members.length; i += ADD_CHUNK) {
    await unary(client, 'addMembers', {
      roomId,
      actorId: members[0],
      userIds: members.slice(i, i + ADD_CHUNK),
    });
  }
  return roomId;
}

/** PresenceChanged for a user, online or offline, at a version. */
function presenceMessage(userId: string, online: boolean, version: number): Uint8Array {
  return PresenceChanged.encode({
    view: {
      userId,
      presence: online ? Presence.PRESENCE_ONLINE : Presence.PRESENCE_OFFLINE,
      display: online ? Display.DISPLAY_AVAILABLE : Display.DISPLAY_OFFLINE,
      online,
      devices: [],
      version: String(version),
    },
    changedAt: new Date().toISOString(),
  }).finish();
}

async function publishAll(
  js: JetStreamClient,
  changes: readonly { user: string; online: boolean; version: number }[],
  onSent: (user: string, at: number) => void,
  ratePerS?: number,
): Promise<number> {
  const publisher = createPublisher(js, { maxInFlight: MAX_IN_FLIGHT });
  const started = now();
  for (const [i, change] of changes.entries()) {
    if (ratePerS !== undefined) {
      const due = started + (i * 1000) / ratePerS;
      if (due - now() > 1) await new Promise((resolve) => setTimeout(resolve, due - now()));
    }
    onSent(change.user, now());
    await publisher.publish({
      natsSubject: subjects.presenceChanged(change.user),
      id: `${change.user}:${change.version}`,
      type: 'presence.v1.PresenceChanged',
      source: 'bench',
      subject: change.user,
      time: new Date().toISOString(),
      data: presenceMessage(change.user, change.online, change.version),
    });
  }
  await publisher.flush();
  return now() - started;
}

interface Phase {
  readonly label: string;
  /** `burst` (as fast as JetStream takes them: throughput) or the paced rate (latency). */
  readonly mode: string;
  readonly changesPerS: number;
  readonly updates: number;
  readonly latency: Histogram;
}

/** Publishes `changes`, waits until each reached every room it should, and times it. */
async function measure(
  label: string,
  js: JetStreamClient,
  streams: readonly ClientReadableStream<RosterUpdate>[],
  users: readonly string[],
  roomsPerUser: number,
  total: number,
  round: { version: number },
  ratePerS?: number,
): Promise<Phase> {
  const sentAt = new Map<string, number>();
  const latency = newHistogram();
  let received = 0;
  const onData = (update: RosterUpdate) => {
    if (update.update?.$case !== 'memberChanged') return;
    const at = sentAt.get(update.update.value.userId);
    if (at === undefined) return;
    recordUs(latency, (now() - at) * 1000);
    received += 1;
  };
  for (const stream of streams) stream.on('data', onData);
  const changes: { user: string; online: boolean; version: number }[] = [];
  // Each user changes once per round (online, then offline...): one update per room of theirs.
  for (let i = 0; changes.length < total; i += 1) {
    if (i % users.length === 0) round.version += 1;
    changes.push({
      user: users[i % users.length]!,
      online: round.version % 2 === 1,
      version: round.version,
    });
  }
  const expected = changes.length * roomsPerUser;
  const started = now();
  const stop = startTicker(label, () => `${count(received)} of ${count(expected)} roster updates`);
  try {
    // One round at a time: a user's next change only after their last one arrived everywhere.
    for (let i = 0; i < changes.length; i += users.length) {
      const batch = changes.slice(i, i + users.length);
      const target = received + batch.length * roomsPerUser;
      await publishAll(js, batch, (user, at) => sentAt.set(user, at), ratePerS);
      const deadline = Date.now() + TIMEOUT_MS;
      while (received < target) {
        if (Date.now() > deadline)
          throw new Error(`${label}: ${received} of ${target} updates arrived`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  } finally {
    stop();
    for (const stream of streams) stream.off('data', onData);
  }
  const elapsedMs = now() - started;
  const mode = ratePerS === undefined ? 'burst' : `paced ${count(ratePerS)}/s`;
  return {
    label,
    mode,
    changesPerS: (changes.length * 1000) / elapsedMs,
    updates: received,
    latency,
  };
}

/** JetStream alone: the same publishes, after a warm-up (the first ones create the stream's files). */
async function rawPublishRate(js: JetStreamClient): Promise<number> {
  const changesOf = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => ({
      user: `raw-${i % 5000}`,
      online: i % 2 === 0,
      version: from + i,
    }));
  await publishAll(js, changesOf(5_000, 1_000_000), () => undefined);
  const n = 20_000;
  const ms = await publishAll(js, changesOf(n, 2_000_000), () => undefined);
  return (n * 1000) / ms;
}

function watchAll(client: RoomServiceClient, roomIds: readonly string[]) {
  return Promise.all(
    roomIds.map(
      (roomId) =>
        new Promise<ClientReadableStream<RosterUpdate>>((resolve, reject) => {
          const stream = client.watchRoster({ roomId });
          stream.once('data', (update: RosterUpdate) =>
            update.update?.$case === 'roster'
              ? resolve(stream)
              : reject(new Error('no roster first')),
          );
          stream.on('error', (error: Error & { code?: number }) => {
            if (error.code !== 1) reject(error); // 1 = CANCELLED, at the end
          });
        }),
    ),
  );
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  mkdirSync(logDir, { recursive: true });
  const t0 = now();
  console.log(
    `rooms bench: one room of ${count(ROOM_MEMBERS)} members (${count(CHANGES)} presence changes); ${count(USERS)} users in ${count(ROOMS)} rooms each (${count(CHANGES_MANY)} changes)`,
  );
  const servers = await startBenchServers((line) => console.log(`  ${line}`));
  const nc: NatsConnection = await connectBus({ servers: servers.natsUrl, name: 'bench-rooms' });
  onCleanup('nats connection', () => nc.close());
  await ensureStreams(nc, [STREAMS.ROOMS, STREAMS.PRESENCE]);
  const js = jetstream(nc);

  const raw = await rawPublishRate(js);
  console.log(
    `raw JetStream: ${count(raw)} PresenceChanged publishes/s (pipelined ${MAX_IN_FLIGHT})`,
  );

  const service = await startRoomMembership(servers.natsUrl, servers.databaseUrl);
  const client = new RoomServiceClient(
    `127.0.0.1:${service.grpcPort}`,
    credentials.createInsecure(),
  );
  onCleanup('grpc client', async () => client.close());

  const rssBefore = memoryMiB(service.child.pid).rss;
  const setupStart = now();
  const bigMembers = Array.from({ length: ROOM_MEMBERS }, (_, i) => `m${i}`);
  const big = await createRoom(client, 'big', bigMembers);
  const users = Array.from({ length: USERS }, (_, i) => `u${i}`);
  const many: string[] = [];
  for (let r = 0; r < ROOMS; r += 1) many.push(await createRoom(client, `r${r}`, users));
  const memberships = ROOM_MEMBERS + USERS * ROOMS;
  const rssAfter = memoryMiB(service.child.pid).rss;
  console.log(
    `set up ${count(1 + ROOMS)} rooms (${count(memberships)} memberships) in ${seconds(now() - setupStart)} s; room-membership RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB (${(((rssAfter - rssBefore) * 2 ** 20) / memberships).toFixed(0)} bytes per membership, garbage included)`,
  );

  const watchStart = now();
  const bigStream = await watchAll(client, [big]);
  const manyStreams = await watchAll(client, many);
  console.log(`watching all rooms (rosters received) in ${seconds(now() - watchStart)} s`);

  const round = { version: 0 };
  const oneRoom = `one room of ${count(ROOM_MEMBERS)}`;
  const manyRooms = `users in ${count(ROOMS)} rooms each`;
  const phases = [
    await measure(oneRoom, js, bigStream, bigMembers, 1, CHANGES, round),
    await measure(oneRoom, js, bigStream, bigMembers, 1, PACED * 5, round, PACED),
    await measure(manyRooms, js, manyStreams, users, ROOMS, CHANGES_MANY, round),
    await measure(manyRooms, js, manyStreams, users, ROOMS, PACED_MANY * 5, round, PACED_MANY),
  ];
  for (const stream of [...bigStream, ...manyStreams]) stream.cancel();

  const ms = (h: Histogram, q: number) => (h.getValueAtPercentile(q) / 1000).toFixed(2);
  console.log(
    '\n| shape | publishing | presence changes/s processed | roster updates | change -> update p50 | p99 | raw JetStream publishes/s (same run) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const phase of phases) {
    console.log(
      `| ${phase.label} | ${phase.mode} | ${count(phase.changesPerS)}/s | ${count(phase.updates)} | ${ms(phase.latency, 50)} ms | ${ms(phase.latency, 99)} ms | ${count(raw)}/s |`,
    );
  }
  console.log(`\ntotal ${seconds(now() - t0)} s; logs in ${logDir}`);
}

main()
  .catch((error: unknown) => {
    console.error('rooms bench failed:', error);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
