import { DeviceEvent, partitionOf } from '@presence/contracts';
import { createRandom, type Random } from './random.js';
import { userScript, type EventBody } from './user-script.js';

export interface WorkloadOptions {
  readonly events: number;
  readonly users: number;
  readonly partitions: number;
  readonly seed: number;
  /** The traffic spans this long and ends at `endsAt` (ms since the epoch). */
  readonly windowMs: number;
  readonly endsAt: number;
}

/**
 * N device events, protobuf-encoded once, in the order they are published: by occurred_at, so
 * the users' streams interleave as they would on a gateway, and each user's events keep their
 * own order. Everything per event lives in typed arrays (a million events is ~150 MB).
 */
export interface Workload {
  readonly count: number;
  /** User ids by user index. */
  readonly users: readonly string[];
  readonly partitionOfUser: Uint16Array;
  /** Per published position: the user index, occurred_at (ms) and the event id. */
  readonly userAt: Uint32Array;
  readonly timeAt: Float64Array;
  eventIdAt(position: number): string;
  /** The encoded DeviceEvent at a position (a view into one shared buffer). */
  payloadAt(position: number): Uint8Array;
  /** Events per partition and per event kind (`deviceActivity`...). */
  readonly perPartition: readonly number[];
  readonly perKind: Readonly<Record<string, number>>;
  /** Users with at least one event. */
  readonly activeUsers: number;
  /** Total payload bytes. */
  readonly payloadBytes: number;
}

/** Per-user event counts: uneven (heavy and light users), summing to exactly `events`. */
function eventsPerUser(random: Random, events: number, users: number): Uint32Array {
  const weights = Array.from({ length: users }, () => 0.25 + random.next() * 1.5);
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = new Uint32Array(users);
  let assigned = 0;
  weights.forEach((w, u) => {
    counts[u] = Math.floor((events * w) / total);
    assigned += counts[u]!;
  });
  for (let left = events - assigned; left > 0; left--) counts[random.int(0, users - 1)]! += 1;
  return counts;
}

export function generateWorkload(options: WorkloadOptions): Workload {
  const { events, users, partitions, windowMs, endsAt } = options;
  const random = createRandom(options.seed);
  const runId = random.hex(18);
  const eventId = (g: number) =>
    `${runId.slice(0, 8)}-${runId.slice(8, 12)}-4${runId.slice(12, 15)}-a${runId.slice(15, 18)}-${g.toString(16).padStart(12, '0')}`;
  const userIds = Array.from({ length: users }, (_, u) => `user-${String(u).padStart(6, '0')}`);
  const partitionOfUser = Uint16Array.from(userIds, (id) => partitionOf(id, partitions));
  const counts = eventsPerUser(random, events, users);

  // Generation order (g): user by user. Published order: by time, then g.
  const genUser = new Uint32Array(events);
  const genTime = new Float64Array(events);
  const genStart = new Uint32Array(events);
  const genLength = new Uint16Array(events);
  let arena = new Uint8Array(events * 96);
  let used = 0;
  const perKind: Record<string, number> = {};
  let g = 0;
  let activeUsers = 0;

  const append = (user: number, time: number, body: EventBody) => {
    const bytes = DeviceEvent.encode({
      eventId: eventId(g),
      userId: userIds[user]!,
      occurredAt: new Date(time).toISOString(),
      event: body,
    }).finish();
    if (used + bytes.length > arena.length) {
      const grown = new Uint8Array(arena.length * 2);
      grown.set(arena.subarray(0, used));
      arena = grown;
    }
    arena.set(bytes, used);
    genUser[g] = user;
    genTime[g] = time;
    genStart[g] = used;
    genLength[g] = bytes.length;
    used += bytes.length;
    perKind[body.$case] = (perKind[body.$case] ?? 0) + 1;
    g += 1;
  };

  for (let user = 0; user < users; user++) {
    const steps = userScript(random, counts[user]!);
    if (steps.length === 0) continue;
    activeUsers += 1;
    // Place the user's day in the window: starting in its first part, squeezed to end by `endsAt`.
    const span = steps.reduce((sum, s, i) => (i === 0 ? 0 : sum + s.gapMs), 0);
    const scale = span > windowMs * 0.9 ? (windowMs * 0.9) / span : 1;
    let time = endsAt - windowMs + random.next() * (windowMs - span * scale);
    steps.forEach((step, i) => {
      if (i > 0) time += step.gapMs * scale;
      append(user, Math.floor(time), step.body);
    });
  }

  const order = new Uint32Array(events).map((_, i) => i);
  order.sort((a, b) => genTime[a]! - genTime[b]! || a - b);
  const userAt = order.map((i) => genUser[i]!);
  const timeAt = Float64Array.from(order, (i) => genTime[i]!);
  const perPartition = Array.from({ length: partitions }, () => 0);
  for (const user of userAt) perPartition[partitionOfUser[user]!]! += 1;

  return {
    count: events,
    users: userIds,
    partitionOfUser,
    userAt,
    timeAt,
    eventIdAt: (position) => eventId(order[position]!),
    payloadAt(position) {
      const i = order[position]!;
      return arena.subarray(genStart[i]!, genStart[i]! + genLength[i]!);
    },
    perPartition,
    perKind,
    activeUsers,
    payloadBytes: used,
  };
}
