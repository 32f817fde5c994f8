import { InvitePolicy, RoomEvent, RoomRole } from '@presence/contracts';
import { describe, expect, it } from 'vitest';
import type { RoomFact } from '../domain/room.js';
import { factFromPb, factToPb, requestedPolicy, requestedRole } from './codec.js';

const facts: RoomFact[] = [
  {
    $case: 'roomCreated',
    value: { name: 'Ops', creatorId: 'ann', memberIds: ['bob'], invitePolicy: 'all_members' },
  },
  { $case: 'membersAdded', value: { userIds: ['cy', 'dee'] } },
  { $case: 'memberRemoved', value: { userId: 'cy' } },
  { $case: 'memberLeft', value: { userId: 'dee' } },
  { $case: 'roleSet', value: { userId: 'bob', role: 'admin' } },
  { $case: 'invitePolicySet', value: { policy: 'admins' } },
  { $case: 'roomOpened', value: { userId: 'bob', deviceId: 'phone' } },
  { $case: 'roomClosed', value: { userId: 'bob', deviceId: '' } },
  { $case: 'roomHidden', value: { userId: 'bob', deviceId: 'd' } },
  { $case: 'roomPositionSet', value: { userId: 'bob', position: 3 } },
  { $case: 'webhookMemberAdded', value: { webhookId: 'w1', name: 'CI' } },
  { $case: 'webhookMemberRemoved', value: { webhookId: 'w1' } },
  { $case: 'unreadChanged', value: { userId: 'bob', unread: 7 } },
];

describe('room codec', () => {
  it.each(facts)('stores a $case fact and reads it back unchanged', (fact) => {
    const bytes = RoomEvent.encode({
      eventId: 'e1',
      roomId: 'r1',
      occurredAt: undefined,
      actorId: 'ann',
      event: factToPb(fact),
    }).finish();
    expect(factFromPb(RoomEvent.decode(bytes).event)).toEqual(fact);
  });

  it('reads an unknown stored role as member and an unknown policy as admins (never more rights)', () => {
    expect(
      factFromPb({
        $case: 'roleSet',
        value: { userId: 'bob', role: RoomRole.ROOM_ROLE_UNSPECIFIED },
      }),
    ).toEqual({ $case: 'roleSet', value: { userId: 'bob', role: 'member' } });
    expect(
      factFromPb({
        $case: 'invitePolicySet',
        value: { policy: InvitePolicy.INVITE_POLICY_UNSPECIFIED },
      }),
    ).toEqual({ $case: 'invitePolicySet', value: { policy: 'admins' } });
    expect(factFromPb(undefined)).toBeUndefined();
  });

  it('passes an unset requested role or policy on as its number, for the domain to refuse', () => {
    expect(requestedRole(RoomRole.ROOM_ROLE_ADMIN)).toBe('admin');
    expect(requestedRole(RoomRole.ROOM_ROLE_UNSPECIFIED)).toBe('0');
    expect(requestedPolicy(InvitePolicy.INVITE_POLICY_ALL_MEMBERS)).toBe('all_members');
    expect(requestedPolicy(InvitePolicy.INVITE_POLICY_UNSPECIFIED)).toBe('0');
  });
});
