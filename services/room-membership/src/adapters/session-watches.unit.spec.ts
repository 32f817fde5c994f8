import { describe, expect, it } from 'vitest';
import { memberChangedFrame, rosterFrame } from './session-watches.js';

const bob = {
  userId: 'bob',
  kind: 'user' as const,
  role: 'member' as const,
  present: true,
  presence: 'busy' as const,
};

describe('roster frames (CONTRACT.md room.roster, room.member.changed)', () => {
  it('given a roster, then each member with user, kind, role, present and public presence', () => {
    const hidden = { ...bob, userId: 'cy', present: false, presence: 'invisible' as const };
    expect(JSON.parse(rosterFrame('r1', [bob, hidden]))).toEqual({
      type: 'room.roster',
      room: 'r1',
      members: [
        { user: 'bob', kind: 'user', role: 'member', present: true, presence: 'busy' },
        // Invisible is offline as others see it.
        { user: 'cy', kind: 'user', role: 'member', present: false, presence: 'offline' },
      ],
    });
  });

  it('given a change, then the room and the member; given a removal, then removed and not present', () => {
    expect(JSON.parse(memberChangedFrame('r1', { type: 'changed', member: bob }))).toEqual({
      type: 'room.member.changed',
      room: 'r1',
      user: 'bob',
      kind: 'user',
      role: 'member',
      present: true,
      presence: 'busy',
    });
    expect(
      JSON.parse(memberChangedFrame('r1', { type: 'removed', userId: 'bob', kind: 'user' })),
    ).toEqual({
      type: 'room.member.changed',
      room: 'r1',
      user: 'bob',
      kind: 'user',
      present: false,
      removed: true,
    });
  });
});
