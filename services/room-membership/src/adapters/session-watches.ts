import { createLastValueReader, type NatsConnection } from '@presence/bus';
import { BUCKETS, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { requireMember, requireRoom } from '../domain/room-guards.js';
import { emptyRoom } from '../domain/room.js';
import type { MemberChange, Presence, RosterMember } from '../domain/roster.js';
import type { RoomsLog } from './rooms-log.js';
import type { RosterWatch } from './roster-watch.js';

/** How often the sessions of gateways that stopped heart-beating are dropped. */
const SWEEP_INTERVAL_MS = 30_000;

export interface SessionRef {
  readonly gatewayId: string;
  readonly sessionId: string;
  readonly userId: string;
}

interface Session extends SessionRef {
  readonly rooms: Map<string, { stop(): void }>;
}

/** How a member shows in the frames: presence as others see it. */
const PRESENCE_NAMES: Record<Presence, string> = {
  unspecified: 'offline',
  online: 'online',
  away: 'away',
  busy: 'busy',
  offline: 'offline',
  invisible: 'offline',
};

const memberJson = (member: RosterMember) => ({
  user: member.userId,
  kind: member.kind,
  role: member.role,
  present: member.present,
  presence: PRESENCE_NAMES[member.presence],
});

/** `room.member.changed` (CONTRACT.md: the room and one member as in `room.roster`). */
export function memberChangedFrame(roomId: string, change: MemberChange): string {
  return JSON.stringify(
    change.type === 'changed'
      ? { type: 'room.member.changed', room: roomId, ...memberJson(change.member) }
      : {
          type: 'room.member.changed',
          room: roomId,
          user: change.userId,
          kind: change.kind,
          present: false,
          removed: true,
        },
  );
}

export function rosterFrame(roomId: string, roster: readonly RosterMember[]): string {
  return JSON.stringify({ type: 'room.roster', room: roomId, members: roster.map(memberJson) });
}

/**
 * The roster watches of device sessions (`room.watch` / `room.unwatch` relayed by the gateways):
 * `room.roster` first, then `room.member.changed`, to `push.v1.session.<gateway>.<session>`, which
 * only the session's gateway hears. Only members watch a room's roster; one who leaves is told
 * and stops watching. Sessions end with an unwatch from their gateway, or, when their gateway
 * died, once its heart-beat (KV `presence_gateways`) is gone.
 */
export interface SessionWatches {
  watch(session: SessionRef, roomId: string): Promise<void>;
  unwatch(session: SessionRef, roomId: string): void;
  /** Sessions with at least one roster watch. */
  readonly sessions: number;
  stop(): void;
}

export async function startSessionWatches(deps: {
  readonly nc: NatsConnection;
  readonly rooms: RoomsLog;
  readonly rosters: RosterWatch;
  readonly logger: Logger;
}): Promise<SessionWatches> {
  const { nc, rooms, rosters, logger } = deps;
  const sessions = new Map<string, Session>();
  const keyOf = (session: SessionRef) => `${session.gatewayId}.${session.sessionId}`;
  const heartbeats = await createLastValueReader(nc, `KV_${BUCKETS.gateways}`);

  function unwatch(ref: SessionRef, roomId: string): void {
    const session = sessions.get(keyOf(ref));
    session?.rooms.get(roomId)?.stop();
    session?.rooms.delete(roomId);
    if (session?.rooms.size === 0) sessions.delete(keyOf(ref));
  }

  async function watch(ref: SessionRef, roomId: string): Promise<void> {
    const state = rooms.room(roomId)?.state ?? emptyRoom;
    requireRoom(state);
    requireMember(state, ref.userId);
    unwatch(ref, roomId);
    const subject = subjects.sessionPush(ref.gatewayId, ref.sessionId);
    const handle = await rosters.watch(
      roomId,
      (roster) => nc.publish(subject, rosterFrame(roomId, roster)),
      (change) => {
        nc.publish(subject, memberChangedFrame(roomId, change));
        if (change.type === 'removed' && change.kind === 'user' && change.userId === ref.userId) {
          unwatch(ref, roomId);
        }
      },
    );
    const key = keyOf(ref);
    const session = sessions.get(key) ?? { ...ref, rooms: new Map() };
    session.rooms.set(roomId, handle);
    sessions.set(key, session);
  }

  /** A gateway's heart-beat is gone when its key holds nothing (expired, or deleted on drain). */
  async function sweep(): Promise<void> {
    const gateways = new Set([...sessions.values()].map((session) => session.gatewayId));
    for (const gatewayId of gateways) {
      const beat = await heartbeats.last(`$KV.${BUCKETS.gateways}.${gatewayId}`);
      if (beat && beat.data.length > 0) continue;
      logger.info({ gatewayId }, "gateway gone: dropping its sessions' roster watches");
      for (const session of [...sessions.values()]) {
        if (session.gatewayId !== gatewayId) continue;
        for (const roomId of [...session.rooms.keys()]) unwatch(session, roomId);
      }
    }
  }

  const timer = setInterval(() => {
    sweep().catch((error: unknown) =>
      logger.warn({ err: error }, 'cannot check the gateways of roster watches; next time'),
    );
  }, SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    watch,
    unwatch,
    get sessions() {
      return sessions.size;
    },
    stop: () => clearInterval(timer),
  };
}
