import { ConflictError, ValidationError, type DomainError } from '@presence/domain';
import { describe, expect, it } from 'vitest';
import { decideRoom, type RoomCommand } from './decide-room.js';
import { foldRoom, type RoomFact, type RoomState } from './room.js';

/** ann created the room for herself and bob; joining opened it for both (no RoomOpened needed). */
const room: RoomFact[] = [
  {
    $case: 'roomCreated',
    value: { name: 'Design', creatorId: 'ann', memberIds: ['bob'], invitePolicy: 'admins' },
  },
];
const given = (...facts: RoomFact[]): RoomState => foldRoom([...room, ...facts]);
const refusal = (state: RoomState, command: RoomCommand): DomainError => {
  try {
    decideRoom(state, command);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
};
/** Runs the commands in turn, appending each one's facts, and returns every fact. */
const run = (state: RoomState, ...commands: RoomCommand[]) => {
  const facts: RoomFact[] = [];
  for (const command of commands) {
    const next = decideRoom(state, command);
    facts.push(...next);
    state = foldRoom(next, state);
  }
  return { facts, state };
};
const closedByBob: RoomFact = { $case: 'roomClosed', value: { userId: 'bob', deviceId: 'desk' } };

describe('open / close / hide: one state per user, synced across devices', () => {
  it('given the room is open, when bob closes it on his desktop, then RoomClosed and it is closed for all his devices', () => {
    const { facts, state } = run(given(), { type: 'CloseRoom', userId: 'bob', deviceId: 'desk' });
    expect(facts).toEqual([closedByBob]);
    expect(state.members.get('bob')).toMatchObject({ open: false, hidden: false });
    expect(state.members.get('ann')).toMatchObject({ open: true });
  });

  it('given bob closed it on desktop, when he opens it on mobile, then it is open for him (desktop too)', () => {
    const { facts, state } = run(given(closedByBob), {
      type: 'OpenRoom',
      userId: 'bob',
      deviceId: 'phone',
    });
    expect(facts).toEqual([{ $case: 'roomOpened', value: { userId: 'bob', deviceId: 'phone' } }]);
    expect(state.members.get('bob')?.open).toBe(true);
  });

  it('given the room is open on his phone, when bob opens it on desktop too, then nothing to append (idempotent)', () => {
    expect(decideRoom(given(), { type: 'OpenRoom', userId: 'bob', deviceId: 'desk' })).toEqual([]);
  });

  it('given the room is closed, when bob closes it again from another device, then nothing to append', () => {
    expect(
      decideRoom(given(closedByBob), { type: 'CloseRoom', userId: 'bob', deviceId: 'phone' }),
    ).toEqual([]);
  });

  it('given the room is open, when bob hides it, then RoomHidden: closed on all devices and hidden', () => {
    const { facts, state } = run(given(), { type: 'HideRoom', userId: 'bob', deviceId: 'phone' });
    expect(facts).toEqual([{ $case: 'roomHidden', value: { userId: 'bob', deviceId: 'phone' } }]);
    expect(state.members.get('bob')).toMatchObject({ open: false, hidden: true });
  });

  it('given the room is closed but not hidden, when bob hides it, then RoomHidden', () => {
    const { state } = run(given(closedByBob), {
      type: 'HideRoom',
      userId: 'bob',
      deviceId: 'desk',
    });
    expect(state.members.get('bob')).toMatchObject({ open: false, hidden: true });
  });

  it('given the room is hidden, when bob hides or closes it again, then nothing to append', () => {
    const hidden = run(given(), { type: 'HideRoom', userId: 'bob', deviceId: 'desk' }).state;
    expect(decideRoom(hidden, { type: 'HideRoom', userId: 'bob', deviceId: 'phone' })).toEqual([]);
    expect(decideRoom(hidden, { type: 'CloseRoom', userId: 'bob', deviceId: 'phone' })).toEqual([]);
  });

  it('given the room is hidden, when bob opens it, then it is open and no longer hidden', () => {
    const { facts, state } = run(
      given(),
      { type: 'HideRoom', userId: 'bob', deviceId: 'desk' },
      { type: 'OpenRoom', userId: 'bob', deviceId: 'desk' },
    );
    expect(facts).toHaveLength(2);
    expect(state.members.get('bob')).toMatchObject({ open: true, hidden: false });
  });

  it('given the room is closed, when the system opens it (a mention), then RoomOpened with an empty device', () => {
    expect(
      decideRoom(given(closedByBob), { type: 'OpenRoom', userId: 'bob', deviceId: '' }),
    ).toEqual([{ $case: 'roomOpened', value: { userId: 'bob', deviceId: '' } }]);
  });

  it.each(['OpenRoom', 'CloseRoom', 'HideRoom'] as const)(
    'given zed is not a member, when %s, then failed_precondition not_member',
    (type) => {
      const error = refusal(given(), { type, userId: 'zed', deviceId: 'desk' });
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'not_member', field: 'user_id' });
    },
  );

  it('given a member, when the device id is malformed, then invalid_argument naming device_id', () => {
    const error = refusal(given(), { type: 'CloseRoom', userId: 'bob', deviceId: 'desk.*' });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'invalid_device_id', field: 'device_id' });
  });
});

describe('position and unread', () => {
  it('given position 0, when bob moves the room to 3, then RoomPositionSet; again, nothing', () => {
    const { facts, state } = run(given(), { type: 'SetPosition', userId: 'bob', position: 3 });
    expect(facts).toEqual([{ $case: 'roomPositionSet', value: { userId: 'bob', position: 3 } }]);
    expect(state.members.get('bob')?.position).toBe(3);
    expect(decideRoom(state, { type: 'SetPosition', userId: 'bob', position: 3 })).toEqual([]);
  });

  it('given unread 0, when it becomes 2 and then 0, then two UnreadChanged', () => {
    const { facts, state } = run(
      given(),
      { type: 'SetUnread', userId: 'bob', unread: 2 },
      { type: 'SetUnread', userId: 'bob', unread: 0 },
    );
    expect(facts.map((fact) => fact.value)).toEqual([
      { userId: 'bob', unread: 2 },
      { userId: 'bob', unread: 0 },
    ]);
    expect(state.members.get('bob')?.unread).toBe(0);
  });

  it.each([
    ['SetPosition', 'position', -1],
    ['SetPosition', 'position', 1.5],
    ['SetUnread', 'unread', 2 ** 32],
  ] as const)(
    'given a member, when %s %s is %d, then invalid_argument naming it',
    (type, field, value) => {
      const command =
        type === 'SetPosition'
          ? { type, userId: 'bob', position: value }
          : { type, userId: 'bob', unread: value };
      const error = refusal(given(), command);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: `invalid_${field}`, field });
    },
  );

  it('given zed is not a member, when he sets a position, then failed_precondition not_member', () => {
    expect(refusal(given(), { type: 'SetPosition', userId: 'zed', position: 1 }).code).toBe(
      'not_member',
    );
  });
});
