import { describe, expect, it } from 'vitest';
import { foldRoom, type RoomFact } from './room.js';
import { roomStateOf, roomStateUsersOf } from './user-rooms.js';

const state = foldRoom([
  {
    $case: 'roomCreated',
    value: { name: 'Design', creatorId: 'ann', memberIds: ['bob'], invitePolicy: 'admins' },
  },
  { $case: 'roomHidden', value: { userId: 'bob', deviceId: 'd' } },
  { $case: 'roomPositionSet', value: { userId: 'bob', position: 2 } },
  { $case: 'unreadChanged', value: { userId: 'bob', unread: 5 } },
]);

describe('user rooms', () => {
  it('given bob hid the room, then his room.state says closed, hidden, position, unread, level all by default', () => {
    expect(roomStateOf(state, 'bob')).toEqual({
      open: false,
      hidden: true,
      position: 2,
      notificationLevel: 'all',
      unread: 5,
    });
  });

  it('given a notification level from the notification service, then room.state carries it', () => {
    expect(roomStateOf(state, 'ann', 'mentions')).toEqual({
      open: true,
      hidden: false,
      position: 0,
      notificationLevel: 'mentions',
      unread: 0,
    });
  });

  it('given a non-member, then no room state', () => {
    expect(roomStateOf(state, 'zed')).toBeUndefined();
  });

  it('given per-user facts, then the user to sync; joining syncs the joiners, other membership facts sync nobody', () => {
    const facts: RoomFact[] = [
      { $case: 'roomOpened', value: { userId: 'bob', deviceId: '' } },
      { $case: 'unreadChanged', value: { userId: 'ann', unread: 1 } },
      { $case: 'membersAdded', value: { userIds: ['cy'] } },
      { $case: 'invitePolicySet', value: { policy: 'all_members' } },
      {
        $case: 'roomCreated',
        value: { name: 'Ops', creatorId: 'ann', memberIds: ['bob', 'cy'], invitePolicy: 'admins' },
      },
      { $case: 'membersAdded', value: { userIds: ['dan', 'eve'] } },
      { $case: 'memberLeft', value: { userId: 'bob' } },
      { $case: 'memberRemoved', value: { userId: 'cy' } },
      { $case: 'roleSet', value: { userId: 'dan', role: 'admin' } },
      { $case: 'webhookMemberAdded', value: { webhookId: 'w1', name: 'CI' } },
      { $case: 'webhookMemberRemoved', value: { webhookId: 'w1' } },
    ];
    expect(facts.map(roomStateUsersOf)).toEqual([
      ['bob'],
      ['ann'],
      ['cy'],
      [],
      ['ann', 'bob', 'cy'],
      ['dan', 'eve'],
      [],
      [],
      [],
      [],
      [],
    ]);
  });
});
