import { describe, expect, it } from 'vitest';
import { adminCount, applyRoomEvent, emptyRoom, foldRoom, type RoomFact } from './room.js';

const created: RoomFact = {
  $case: 'roomCreated',
  value: { name: 'Design', creatorId: 'ann', memberIds: ['bob'], invitePolicy: 'admins' },
};

describe('applyRoomEvent / foldRoom', () => {
  it('given no facts, then the empty room', () => {
    expect(foldRoom([])).toBe(emptyRoom);
    expect(emptyRoom).toMatchObject({ created: false, invitePolicy: 'admins' });
  });

  it('given RoomCreated, then the creator is the admin, members open (not hidden) at position 0 with nothing unread', () => {
    const state = foldRoom([created]);
    expect(state).toMatchObject({ created: true, name: 'Design', invitePolicy: 'admins' });
    expect(state.members.get('ann')).toEqual({
      role: 'admin',
      open: true,
      hidden: false,
      position: 0,
      unread: 0,
    });
    expect(state.members.get('bob')?.role).toBe('member');
    expect(state.members.get('bob')).toEqual({
      role: 'member',
      open: true,
      hidden: false,
      position: 0,
      unread: 0,
    });
    expect(adminCount(state)).toBe(1);
  });

  it('given a room, when a fact does not fit (a second RoomCreated, a non-member opening), then the state is the same object', () => {
    const state = foldRoom([created]);
    expect(applyRoomEvent(state, { ...created, value: { ...created.value, name: 'Other' } })).toBe(
      state,
    );
    expect(
      applyRoomEvent(state, { $case: 'roomOpened', value: { userId: 'zed', deviceId: '' } }),
    ).toBe(state);
    expect(applyRoomEvent(state, { $case: 'memberLeft', value: { userId: 'zed' } })).toBe(state);
    expect(
      applyRoomEvent(state, { $case: 'webhookMemberRemoved', value: { webhookId: 'nope' } }),
    ).toBe(state);
  });

  it('given a room, when a fact is applied, then the previous state is left untouched', () => {
    const before = foldRoom([created]);
    const after = applyRoomEvent(before, {
      $case: 'roleSet',
      value: { userId: 'bob', role: 'admin' },
    });
    expect(before.members.get('bob')?.role).toBe('member');
    expect(after.members.get('bob')?.role).toBe('admin');
  });

  it('given hidden, then opened: open and not hidden; hidden again: closed and hidden', () => {
    const state = foldRoom([
      created,
      { $case: 'roomHidden', value: { userId: 'bob', deviceId: 'd1' } },
      { $case: 'roomOpened', value: { userId: 'bob', deviceId: 'd2' } },
    ]);
    expect(state.members.get('bob')).toMatchObject({ open: true, hidden: false });
    const hidden = applyRoomEvent(state, {
      $case: 'roomHidden',
      value: { userId: 'bob', deviceId: 'd2' },
    });
    expect(hidden.members.get('bob')).toMatchObject({ open: false, hidden: true });
  });

  it('given webhooks added and removed, then only the remaining ones with their names', () => {
    const state = foldRoom([
      created,
      { $case: 'webhookMemberAdded', value: { webhookId: 'w1', name: 'CI' } },
      { $case: 'webhookMemberAdded', value: { webhookId: 'w2', name: 'Alerts' } },
      { $case: 'webhookMemberRemoved', value: { webhookId: 'w1' } },
    ]);
    expect([...state.webhooks]).toEqual([['w2', 'Alerts']]);
  });

  it('given a member removed and re-added, then his room state starts afresh with the room open', () => {
    const state = foldRoom([
      created,
      { $case: 'roomHidden', value: { userId: 'bob', deviceId: 'd1' } },
      { $case: 'roomPositionSet', value: { userId: 'bob', position: 4 } },
      { $case: 'unreadChanged', value: { userId: 'bob', unread: 9 } },
      { $case: 'memberRemoved', value: { userId: 'bob' } },
      { $case: 'membersAdded', value: { userIds: ['bob'] } },
    ]);
    expect(state.members.get('bob')).toEqual({
      role: 'member',
      open: true,
      hidden: false,
      position: 0,
      unread: 0,
    });
  });
});
