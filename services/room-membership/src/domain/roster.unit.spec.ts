import { describe, expect, it } from 'vitest';
import { foldRoom, type RoomFact } from './room.js';
import {
  isPresent,
  memberChange,
  rosterMemberOf,
  rosterOf,
  type Presence,
  type RosterMember,
} from './roster.js';

const room = (...facts: RoomFact[]) =>
  foldRoom([
    {
      $case: 'roomCreated',
      value: { name: 'Design', creatorId: 'cy', memberIds: ['bob', 'ann'], invitePolicy: 'admins' },
    },
    ...facts,
  ]);
const open = (userId: string): RoomFact => ({
  $case: 'roomOpened',
  value: { userId, deviceId: 'd' },
});
const closed = (userId: string): RoomFact => ({
  $case: 'roomClosed',
  value: { userId, deviceId: 'd' },
});
const presences =
  (known: Record<string, Presence>) =>
  (userId: string): Presence =>
    known[userId] ?? 'offline';

describe('isPresent', () => {
  it.each([
    [true, 'online', true],
    [true, 'away', true],
    [true, 'busy', true],
    [true, 'offline', false],
    [true, 'invisible', false],
    [true, 'unspecified', false],
    [false, 'online', false],
    [false, 'busy', false],
  ] as const)(
    'given the room open=%s and public presence %s, then present=%s',
    (opened, presence, present) => {
      expect(isPresent(opened, presence)).toBe(present);
    },
  );
});

describe('rosterOf', () => {
  it('given members and webhooks, then users sorted by id with their roles, then webhooks as kind webhook', () => {
    // Joining opened the room for everyone; bob and cy closed it, so only ann can be Present.
    const state = room(
      closed('bob'),
      closed('cy'),
      { $case: 'webhookMemberAdded', value: { webhookId: 'wh-z', name: 'Z' } },
      {
        $case: 'webhookMemberAdded',
        value: { webhookId: 'wh-a', name: 'A' },
      },
    );
    expect(rosterOf(state, presences({ ann: 'online', bob: 'online', cy: 'away' }))).toEqual([
      { userId: 'ann', kind: 'user', role: 'member', present: true, presence: 'online' },
      { userId: 'bob', kind: 'user', role: 'member', present: false, presence: 'online' },
      { userId: 'cy', kind: 'user', role: 'admin', present: false, presence: 'away' },
      { userId: 'wh-a', kind: 'webhook', role: 'member', present: false, presence: 'offline' },
      { userId: 'wh-z', kind: 'webhook', role: 'member', present: false, presence: 'offline' },
    ]);
  });

  it('given the room open for an online user, when he hides it, then he is Not Present', () => {
    const hidden = room(open('bob'), {
      $case: 'roomHidden',
      value: { userId: 'bob', deviceId: 'd' },
    });
    expect(rosterOf(hidden, () => 'online').find((m) => m.userId === 'bob')?.present).toBe(false);
  });

  it('given the room open, when the user is invisible (published to others as offline), then Not Present', () => {
    const state = room(open('bob'));
    for (const presence of ['offline', 'invisible'] as const) {
      expect(rosterOf(state, () => presence).find((m) => m.userId === 'bob')?.present).toBe(false);
    }
  });

  it('given a member who left, then he is not in the roster', () => {
    const state = room({ $case: 'memberLeft', value: { userId: 'bob' } });
    expect(rosterOf(state, () => 'online').map((m) => m.userId)).toEqual(['ann', 'cy']);
  });
});

describe('memberChange', () => {
  const bob: RosterMember = {
    userId: 'bob',
    kind: 'user',
    role: 'member',
    present: true,
    presence: 'online',
  };

  it('given the same entry, when nothing shown changed, then no room.member.changed', () => {
    expect(memberChange(bob, { ...bob })).toBeNull();
  });

  it.each([
    ['present', { present: false }],
    ['presence', { presence: 'busy' as const }],
    ['role', { role: 'admin' as const }],
  ])('given an entry, when %s changes, then changed with the new entry', (_field, change) => {
    const after = { ...bob, ...change };
    expect(memberChange(bob, after)).toEqual({ type: 'changed', member: after });
  });

  it('given no entry, when the member appears, then changed; when he disappears, then removed', () => {
    expect(memberChange(undefined, bob)).toEqual({ type: 'changed', member: bob });
    expect(memberChange(bob, undefined)).toEqual({ type: 'removed', userId: 'bob', kind: 'user' });
    expect(memberChange(undefined, undefined)).toBeNull();
  });
});

describe('rosterMemberOf', () => {
  it('given a member with the room open and online, then one Present entry; non-members have none', () => {
    const state = room(open('bob'), {
      $case: 'webhookMemberAdded',
      value: { webhookId: 'w1', name: 'CI' },
    });
    const online = presences({ bob: 'online', ann: 'online' });
    expect(rosterMemberOf(state, 'user', 'bob', online)).toEqual({
      userId: 'bob',
      kind: 'user',
      role: 'member',
      present: true,
      presence: 'online',
    });
    expect(rosterMemberOf(state, 'user', 'zed', online)).toBeUndefined();
    expect(rosterMemberOf(state, 'webhook', 'w1', online)).toMatchObject({ present: false });
    expect(rosterMemberOf(state, 'webhook', 'bob', online)).toBeUndefined();
    expect(rosterOf(state, online).find((m) => m.userId === 'bob')).toEqual(
      rosterMemberOf(state, 'user', 'bob', online),
    );
  });
});
