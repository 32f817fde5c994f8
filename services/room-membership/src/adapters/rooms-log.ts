import { randomUUID } from 'node:crypto';
import {
  consumeOrdered,
  isWrongLastSequence,
  jetstreamManager,
  publishEvent,
  type BusMessage,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import { RoomEvent, subjects } from '@presence/contracts';
import { ConflictError } from '@presence/domain';
import type { Logger } from '@presence/kit';
import { createProjectionWriter, isCheckpointConflictError } from '@presence/store';
import type { Kysely } from 'kysely';
import { applyRoomEvent, emptyRoom, type RoomFact, type RoomState } from '../domain/room.js';
import {
  touchedMembers,
  writeRooms,
  type MemberKey,
  type ProjectedRoom,
} from '../read-models/projection.js';
import { ROOMS_PROJECTION, type RoomsDatabase } from '../read-models/tables.js';
import { factFromPb, factToPb } from './codec.js';

export const SOURCE = 'room-membership';

/** The facts one batch of the ROOMS stream folded into a room, for the listeners (rosters). */
export interface RoomChange {
  readonly roomId: string;
  readonly facts: readonly RoomFact[];
}

export interface RoomsLog {
  /** A room as folded so far; undefined when the log has no fact about it. */
  room(roomId: string): ProjectedRoom | undefined;
  /** The rooms a user is a member of (the `user -> rooms` index of the roster fan-out). */
  roomsOf(userId: string): ReadonlySet<string>;
  /**
   * Decides on the room's current state and appends the facts (optimistic concurrency on the
   * room's subject: a concurrent change makes it decide again); resolves with the state once
   * the facts are folded and their rows committed. `decide` throws a DomainError to refuse.
   */
  append(
    roomId: string,
    actorId: string,
    decide: (state: RoomState) => readonly RoomFact[],
  ): Promise<RoomState>;
  /** Called after every committed batch with the rooms it changed. */
  onChange(listener: (changes: readonly RoomChange[]) => void): void;
  /**
   * Called once for the facts this process appended, after they are folded and committed (each
   * appended fact reaches exactly one process's listeners, where `onChange` reaches every replica).
   */
  onAppended(
    listener: (roomId: string, facts: readonly RoomFact[], state: RoomState) => void,
  ): void;
  stop(): Promise<void>;
}

const MAX_ATTEMPTS = 5;

/**
 * Follows the ROOMS stream from its start: folds every room in memory (commands decide on it)
 * and writes the `rooms` / `room_members` read model with its checkpoint, one transaction per
 * batch. A batch read again after a failure is folded once (each room remembers its last
 * sequence) and written again from the folded state, so the rows are the same either way.
 */
export async function startRoomsLog(deps: {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly db: Kysely<RoomsDatabase>;
  readonly logger: Logger;
}): Promise<RoomsLog> {
  const { js, logger } = deps;
  const jsm = await jetstreamManager(deps.nc);
  /** The ROOMS stream's last sequence now (0 when empty). */
  const headSeq = async () => BigInt((await jsm.streams.info('ROOMS')).state.last_seq);
  const writer = createProjectionWriter(deps.db, { projection: ROOMS_PROJECTION });
  await writer.load();
  const rooms = new Map<string, ProjectedRoom>();
  let position = 0n;
  const listeners: ((changes: readonly RoomChange[]) => void)[] = [];
  const appendedListeners: ((
    roomId: string,
    facts: readonly RoomFact[],
    state: RoomState,
  ) => void)[] = [];
  const waiters: { seq: bigint; resolve: () => void }[] = [];
  const memberRooms = new Map<string, Set<string>>();
  const NO_ROOMS: ReadonlySet<string> = new Set();

  function index(userId: string, roomId: string, member: boolean): void {
    let rooms = memberRooms.get(userId);
    if (member) {
      if (!rooms) memberRooms.set(userId, (rooms = new Set()));
      rooms.add(roomId);
    } else if (rooms?.delete(roomId) && rooms.size === 0) {
      memberRooms.delete(userId);
    }
  }

  async function handle(batch: readonly BusMessage[]): Promise<void> {
    const changes = new Map<string, RoomFact[]>();
    const events: { seq: bigint; roomId: string; fact: RoomFact }[] = [];
    for (const message of batch) {
      const decoded = decode(message);
      if (!decoded) {
        logger.error({ seq: String(message.seq) }, 'skipping an unreadable room event');
        continue;
      }
      events.push({ seq: message.seq, ...decoded });
      const room = rooms.get(decoded.roomId);
      if (room && room.version >= message.seq) continue;
      const facts = changes.get(decoded.roomId) ?? [];
      facts.push(decoded.fact);
      changes.set(decoded.roomId, facts);
      const after = applyRoomEvent(room?.state ?? emptyRoom, decoded.fact);
      rooms.set(decoded.roomId, { state: after, version: message.seq });
      for (const key of touchedMembers(decoded.roomId, decoded.fact)) {
        if (key.kind === 'user')
          index(key.memberId, decoded.roomId, after.members.has(key.memberId));
      }
    }
    const write = () =>
      writer.commit(
        batch.map((message) => ({ seq: message.seq })),
        async (trx, fresh) => {
          const from = fresh[0]!.seq;
          const touchedRooms: string[] = [];
          const touched: MemberKey[] = [];
          for (const event of events) {
            if (event.seq < from) continue;
            touchedRooms.push(event.roomId);
            touched.push(...touchedMembers(event.roomId, event.fact));
          }
          await writeRooms(trx, rooms, touchedRooms, touched);
        },
      );
    try {
      await write();
    } catch (error) {
      if (!isCheckpointConflictError(error)) throw error;
      // Another replica wrote these rows (from the same facts): take its checkpoint and go on.
      await writer.load();
      await write();
    }
    position = batch.at(-1)!.seq;
    const changed = [...changes].map(([roomId, facts]) => ({ roomId, facts }));
    for (const listener of listeners) listener(changed);
    for (const waiter of waiters.filter((w) => w.seq <= position)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  const folded = (seq: bigint) =>
    seq <= position
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ seq, resolve }));

  const consumption = consumeOrdered(deps.nc, {
    stream: 'ROOMS',
    filterSubject: 'room.v1.*',
    startSeq: 1n,
    handle,
    onError: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'rooms: reading or writing a batch failed; retrying'),
  });
  await folded(await headSeq());

  async function appendOnce(
    roomId: string,
    actorId: string,
    facts: readonly RoomFact[],
    expected: bigint,
  ) {
    let last = expected;
    for (const fact of facts) {
      const id = randomUUID();
      const occurredAt = new Date().toISOString();
      const ack = await publishEvent(js, {
        natsSubject: subjects.room(roomId),
        id,
        type: 'presence.v1.RoomEvent',
        source: SOURCE,
        subject: roomId,
        time: occurredAt,
        data: RoomEvent.encode({
          eventId: id,
          roomId,
          occurredAt,
          actorId,
          event: factToPb(fact),
        }).finish(),
        expectLastSubjectSequence: last,
      });
      last = BigInt(ack.seq);
    }
    return last;
  }

  return {
    room: (roomId) => rooms.get(roomId),
    roomsOf: (userId) => memberRooms.get(userId) ?? NO_ROOMS,
    async append(roomId, actorId, decide) {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const room = rooms.get(roomId);
        const facts = decide(room?.state ?? emptyRoom);
        if (facts.length === 0) return room?.state ?? emptyRoom;
        try {
          await folded(await appendOnce(roomId, actorId, facts, room?.version ?? 0n));
          const state = rooms.get(roomId)!.state;
          for (const listener of appendedListeners) listener(roomId, facts, state);
          return state;
        } catch (error) {
          if (!isWrongLastSequence(error)) throw error;
          // Another writer got there first: wait until its facts are folded, then decide again.
          await folded(await headSeq());
        }
      }
      throw new ConflictError(
        'concurrent_change',
        `room ${roomId} kept changing under this request; try again`,
      );
    },
    onChange: (listener) => {
      listeners.push(listener);
    },
    onAppended: (listener) => {
      appendedListeners.push(listener);
    },
    stop: () => consumption.stop(),
  };
}

function decode(message: BusMessage): { roomId: string; fact: RoomFact } | undefined {
  try {
    const event = RoomEvent.decode(message.data);
    const fact = factFromPb(event.event);
    return fact && event.roomId !== '' ? { roomId: event.roomId, fact } : undefined;
  } catch {
    return undefined;
  }
}
