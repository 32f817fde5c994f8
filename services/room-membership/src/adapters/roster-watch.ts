import { NotFoundError } from '@presence/domain';
import {
  memberChange,
  rosterMemberOf,
  rosterOf,
  type MemberChange,
  type MemberKind,
  type RosterMember,
} from '../domain/roster.js';
import { touchedMembers } from '../read-models/projection.js';
import type { PresenceCache } from './presence-cache.js';
import type { RoomsLog } from './rooms-log.js';

export type RosterListener = (change: MemberChange) => void;

interface WatchedRoom {
  /** What the watchers were last told, by `kind:id`. */
  readonly shown: Map<string, RosterMember>;
  readonly listeners: Set<RosterListener>;
}

export interface RosterWatch {
  /**
   * Sends the room's roster to `onRoster`, then every change of a member to `onChange` until
   * `stop`. NOT_FOUND for a room that does not exist.
   */
  watch(
    roomId: string,
    onRoster: (roster: readonly RosterMember[]) => void,
    onChange: RosterListener,
  ): Promise<{ stop(): void }>;
}

const keyOf = (kind: MemberKind, id: string) => `${kind}:${id}`;

/**
 * Live rosters (RULES.md 6): a member's `present` follows the room facts (open, close, hide,
 * join, leave) and their public presence. Only watched rooms are tracked; a presence change
 * reaches the watched rooms of that user through the `user -> rooms` index, in memory, so a user
 * in 1,000 rooms costs 1,000 map lookups, no round trip. Watchers are told only what changed:
 * `present`, `presence` or role, a member joining, or leaving.
 */
export function createRosterWatch(deps: {
  readonly rooms: RoomsLog;
  readonly presence: PresenceCache;
}): RosterWatch {
  const { rooms, presence } = deps;
  const watched = new Map<string, WatchedRoom>();
  const presenceOf = (user: string) => presence.get(user);

  /** Compares one member with what the room's watchers were shown, and tells them. */
  function recheck(roomId: string, kind: MemberKind, id: string): void {
    const room = watched.get(roomId);
    const state = rooms.room(roomId)?.state;
    if (!room || !state) return;
    const key = keyOf(kind, id);
    const after = rosterMemberOf(state, kind, id, presenceOf);
    const change = memberChange(room.shown.get(key), after);
    if (!change) return;
    if (after) room.shown.set(key, after);
    else room.shown.delete(key);
    for (const listener of room.listeners) listener(change);
  }

  presence.onChange((user) => {
    for (const roomId of rooms.roomsOf(user)) recheck(roomId, 'user', user);
  });

  rooms.onChange((changes) => {
    for (const { roomId, facts } of changes) {
      if (!watched.has(roomId)) continue;
      for (const fact of facts) {
        for (const key of touchedMembers(roomId, fact)) recheck(roomId, key.kind, key.memberId);
      }
    }
  });

  return {
    async watch(roomId, onRoster, onChange) {
      const state = rooms.room(roomId)?.state;
      if (!state?.created) {
        throw new NotFoundError('room_not_found', 'room_id: no such room', 'room_id');
      }
      let room = watched.get(roomId);
      if (!room) {
        const roster = rosterOf(state, presenceOf);
        room = {
          shown: new Map(roster.map((member) => [keyOf(member.kind, member.userId), member])),
          listeners: new Set(),
        };
        watched.set(roomId, room);
      }
      // What the room's watchers were shown is the current roster: every change since was sent.
      onRoster([...room.shown.values()].sort(byKindThenId));
      const listener: RosterListener = (change) => onChange(change);
      room.listeners.add(listener);
      return {
        stop() {
          room.listeners.delete(listener);
          if (room.listeners.size === 0 && watched.get(roomId) === room) watched.delete(roomId);
        },
      };
    },
  };
}

/** Users first, then webhooks, each by id: the order of `rosterOf`. */
function byKindThenId(a: RosterMember, b: RosterMember): number {
  if (a.kind !== b.kind) return a.kind === 'user' ? -1 : 1;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}
