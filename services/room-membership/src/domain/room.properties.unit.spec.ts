import { isDomainError } from '@presence/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRoom, type RoomCommand } from './decide-room.js';
import {
  adminCount,
  applyRoomEvent,
  emptyRoom,
  foldRoom,
  type RoomFact,
  type RoomState,
} from './room.js';

const users = ['ann', 'bob', 'cy', 'dan', 'eve'];
const user = fc.constantFrom(...users);
const device = fc.constantFrom('', 'desk', 'phone');

/** Commands over five users, valid or not: the deciders sort them out. */
const command: fc.Arbitrary<RoomCommand> = fc.oneof(
  fc.record({
    type: fc.constant('CreateRoom' as const),
    name: fc.constantFrom('Design', ' ', 'Ops'),
    creatorId: user,
    memberIds: fc.array(user, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('AddMembers' as const),
    actorId: user,
    userIds: fc.array(user, { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('RemoveMember' as const), actorId: user, userId: user }),
  fc.record({ type: fc.constant('LeaveRoom' as const), userId: user }),
  fc.record({
    type: fc.constant('SetRole' as const),
    actorId: user,
    userId: user,
    role: fc.constantFrom('admin', 'member', 'owner'),
  }),
  fc.record({
    type: fc.constant('SetInvitePolicy' as const),
    actorId: user,
    policy: fc.constantFrom('admins', 'all_members'),
  }),
  fc.record({
    type: fc.constantFrom('OpenRoom', 'CloseRoom', 'HideRoom' as const),
    userId: user,
    deviceId: device,
  }),
  fc.record({ type: fc.constant('SetPosition' as const), userId: user, position: fc.nat(3) }),
  fc.record({ type: fc.constant('SetUnread' as const), userId: user, unread: fc.nat(3) }),
  fc.record({
    type: fc.constant('AddWebhookMember' as const),
    webhookId: fc.constantFrom('w1', 'w2'),
    name: fc.constantFrom('CI', 'Alerts'),
  }),
  fc.record({
    type: fc.constant('RemoveWebhookMember' as const),
    webhookId: fc.constantFrom('w1', 'w2'),
  }),
);

/** The room's history: a CreateRoom first most of the time, so the rest has something to act on. */
const history = fc
  .tuple(
    fc.record({
      type: fc.constant('CreateRoom' as const),
      name: fc.constant('Design'),
      creatorId: user,
      memberIds: fc.array(user, { maxLength: 4 }),
    }),
    fc.array(command, { maxLength: 60 }),
  )
  .map(([create, rest]) => [create, ...rest]);

interface Run {
  readonly state: RoomState;
  /** Each accepted command's facts, in order. */
  readonly batches: RoomFact[][];
}

/** Decides each command against the state so far; refusals must be DomainErrors and change nothing. */
function live(commands: readonly RoomCommand[]): Run {
  let state = emptyRoom;
  const batches: RoomFact[][] = [];
  for (const next of commands) {
    const before = structuredClone(state);
    try {
      const facts = decideRoom(state, next);
      state = facts.reduce(applyRoomEvent, state);
      batches.push(facts);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      expect(state).toEqual(before);
    }
  }
  return { state, batches };
}

/** A retry appends nothing: it is a no-op, or refused (an admin who just demoted herself). */
function retried(state: RoomState, again: RoomCommand): RoomFact[] {
  try {
    return decideRoom(state, again);
  } catch (error) {
    if (isDomainError(error)) return [];
    throw error;
  }
}

describe('room properties', () => {
  it('given any accepted commands, then folding their facts in one go equals applying them one at a time', () => {
    fc.assert(
      fc.property(history, fc.nat(), (commands, cut) => {
        const { state, batches } = live(commands);
        const facts = batches.flat();
        expect(foldRoom(facts)).toEqual(state);
        // Resuming from a snapshot taken anywhere gives the same state too.
        const at = facts.length === 0 ? 0 : cut % (facts.length + 1);
        expect(foldRoom(facts.slice(at), foldRoom(facts.slice(0, at)))).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it('given any accepted commands, then a room with members keeps an admin and a hidden room is closed', () => {
    fc.assert(
      fc.property(history, (commands) => {
        const { state } = live(commands);
        if (state.members.size > 0) expect(adminCount(state)).toBeGreaterThanOrEqual(1);
        for (const member of state.members.values())
          if (member.hidden) expect(member.open).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('given an accepted per-user or admin setting command, when it is retried, then nothing more is appended', () => {
    const retryable = new Set<RoomCommand['type']>([
      'OpenRoom',
      'CloseRoom',
      'HideRoom',
      'SetPosition',
      'SetUnread',
      'SetRole',
      'SetInvitePolicy',
      'AddWebhookMember',
      'RemoveWebhookMember',
    ]);
    fc.assert(
      fc.property(history, (commands) => {
        let state = emptyRoom;
        for (const next of commands) {
          let facts: RoomFact[];
          try {
            facts = decideRoom(state, next);
          } catch {
            continue;
          }
          state = foldRoom(facts, state);
          if (retryable.has(next.type)) expect(retried(state, next)).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
