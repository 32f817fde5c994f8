import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type DomainError,
} from '@presence/domain';
import { describe, expect, it } from 'vitest';
import { decideRoom, type RoomCommand } from './decide-room.js';
import { emptyRoom, foldRoom, type RoomFact, type RoomState } from './room.js';

/** ann created "Design" with bob and cy; ann is the only admin, the policy is `admins`. */
const design: RoomFact[] = [
  {
    $case: 'roomCreated',
    value: { name: 'Design', creatorId: 'ann', memberIds: ['bob', 'cy'], invitePolicy: 'admins' },
  },
];
const given = (...facts: RoomFact[]): RoomState => foldRoom([...design, ...facts]);
const when = (state: RoomState, command: RoomCommand) => decideRoom(state, command);
const refusal = (state: RoomState, command: RoomCommand): DomainError => {
  try {
    decideRoom(state, command);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
};
const promoted = (userId: string): RoomFact => ({
  $case: 'roleSet',
  value: { userId, role: 'admin' },
});
const allMembers: RoomFact = { $case: 'invitePolicySet', value: { policy: 'all_members' } };

describe('CreateRoom', () => {
  it('given no room, when ann creates it with bob, then ann is admin, bob member, and it opens for both', () => {
    const facts = when(emptyRoom, {
      type: 'CreateRoom',
      name: '  Design  ',
      creatorId: 'ann',
      memberIds: ['bob', 'ann', 'bob'],
    });
    expect(facts).toEqual([
      {
        $case: 'roomCreated',
        value: { name: 'Design', creatorId: 'ann', memberIds: ['bob'], invitePolicy: 'admins' },
      },
    ]);
    const state = foldRoom(facts);
    expect(state.members.get('ann')).toMatchObject({ role: 'admin', open: true });
    expect(state.members.get('bob')).toMatchObject({ role: 'member', open: true });
    expect(state.invitePolicy).toBe('admins');
  });

  it('given no room, when created with no other members, then the creator alone is admin', () => {
    const state = foldRoom(
      when(emptyRoom, { type: 'CreateRoom', name: 'Me', creatorId: 'ann', memberIds: [] }),
    );
    expect([...state.members.keys()]).toEqual(['ann']);
  });

  it.each([
    ['', 'invalid_name'],
    ['   ', 'invalid_name'],
    ['bell\u0007', 'invalid_name'],
    ['x'.repeat(201), 'name_too_long'],
  ])('given no room, when the name is %j, then invalid_argument %s naming name', (name, code) => {
    const error = refusal(emptyRoom, { type: 'CreateRoom', name, creatorId: 'ann', memberIds: [] });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code, field: 'name' });
  });

  it('given no room, when the name has 200 code points of emoji, then it is accepted', () => {
    const name = '🎉'.repeat(200);
    expect(
      when(emptyRoom, { type: 'CreateRoom', name, creatorId: 'ann', memberIds: [] })[0],
    ).toMatchObject({
      value: { name },
    });
  });

  it.each([
    ['creator_id', { creatorId: '', memberIds: [] }],
    ['member_ids', { creatorId: 'ann', memberIds: ['bob', 'no.dots'] }],
  ])('given no room, when %s is invalid, then invalid_argument naming it', (field, ids) => {
    const error = refusal(emptyRoom, { type: 'CreateRoom', name: 'Design', ...ids });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: `invalid_${field}`, field });
  });

  it('given a room, when created again, then failed_precondition room_exists', () => {
    const error = refusal(given(), {
      type: 'CreateRoom',
      name: 'Again',
      creatorId: 'ann',
      memberIds: [],
    });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('room_exists');
  });

  it('given no room, when any other command arrives, then not_found room_not_found', () => {
    const error = refusal(emptyRoom, { type: 'LeaveRoom', userId: 'ann' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'room_not_found', field: 'room_id' });
  });
});

describe('AddMembers', () => {
  it('given the admin, when she invites dan and eve, then one MembersAdded and the room opens for them as they join', () => {
    const facts = when(given(), {
      type: 'AddMembers',
      actorId: 'ann',
      userIds: ['dan', 'eve', 'dan'],
    });
    expect(facts).toEqual([{ $case: 'membersAdded', value: { userIds: ['dan', 'eve'] } }]);
    const state = foldRoom(facts, given());
    for (const id of ['dan', 'eve']) {
      expect(state.members.get(id)).toEqual({
        role: 'member',
        open: true,
        hidden: false,
        position: 0,
        unread: 0,
      });
    }
  });

  it('given policy admins, when a member invites, then permission_denied admin_only', () => {
    const error = refusal(given(), { type: 'AddMembers', actorId: 'bob', userIds: ['dan'] });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'admin_only', field: 'actor_id' });
  });

  it('given policy all_members, when a member invites, then dan joins', () => {
    expect(
      when(given(allMembers), { type: 'AddMembers', actorId: 'bob', userIds: ['dan'] }),
    ).toEqual([{ $case: 'membersAdded', value: { userIds: ['dan'] } }]);
  });

  it('given policy all_members, when a non-member invites, then permission_denied actor_not_member', () => {
    const error = refusal(given(allMembers), {
      type: 'AddMembers',
      actorId: 'zed',
      userIds: ['dan'],
    });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'actor_not_member', field: 'actor_id' });
    expect(error.message).toContain('zed');
  });

  it('given bob and cy are members, when any of them is invited again, then failed_precondition naming them all, nothing added', () => {
    const error = refusal(given(), {
      type: 'AddMembers',
      actorId: 'ann',
      userIds: ['dan', 'bob', 'cy'],
    });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'already_member', field: 'user_ids' });
    expect(error.message).toBe('user_ids: already a member: bob, cy');
  });

  it('given the admin, when the list is empty, then invalid_argument naming user_ids', () => {
    const error = refusal(given(), { type: 'AddMembers', actorId: 'ann', userIds: [] });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'invalid_user_ids', field: 'user_ids' });
  });

  it('given bob left, when he is re-invited, then he is a member again with the room opened afresh', () => {
    const left = given(
      { $case: 'roomHidden', value: { userId: 'bob', deviceId: 'p' } },
      {
        $case: 'memberLeft',
        value: { userId: 'bob' },
      },
    );
    const state = foldRoom(
      when(left, { type: 'AddMembers', actorId: 'ann', userIds: ['bob'] }),
      left,
    );
    expect(state.members.get('bob')).toEqual({
      role: 'member',
      open: true,
      hidden: false,
      position: 0,
      unread: 0,
    });
  });
});

describe('RemoveMember', () => {
  it('given the admin, when she removes bob, then MemberRemoved', () => {
    expect(when(given(), { type: 'RemoveMember', actorId: 'ann', userId: 'bob' })).toEqual([
      { $case: 'memberRemoved', value: { userId: 'bob' } },
    ]);
  });

  it('given a member, when he removes another, then permission_denied admin_only', () => {
    const error = refusal(given(allMembers), {
      type: 'RemoveMember',
      actorId: 'bob',
      userId: 'cy',
    });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.code).toBe('admin_only');
  });

  it('given the admin, when she removes someone not in the room, then failed_precondition not_member', () => {
    const error = refusal(given(), { type: 'RemoveMember', actorId: 'ann', userId: 'zed' });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'not_member', field: 'user_id' });
  });

  it('given ann is the only admin, when she removes herself, then failed_precondition only_admin', () => {
    const error = refusal(given(), { type: 'RemoveMember', actorId: 'ann', userId: 'ann' });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'only_admin', field: 'user_id' });
  });

  it('given two admins, when one removes the other, then MemberRemoved', () => {
    expect(
      when(given(promoted('bob')), { type: 'RemoveMember', actorId: 'bob', userId: 'ann' }),
    ).toHaveLength(1);
  });
});

describe('LeaveRoom', () => {
  it('given a member, when he leaves, then MemberLeft and he is no longer a member', () => {
    const facts = when(given(), { type: 'LeaveRoom', userId: 'bob' });
    expect(facts).toEqual([{ $case: 'memberLeft', value: { userId: 'bob' } }]);
    expect(foldRoom(facts, given()).members.has('bob')).toBe(false);
  });

  it('given bob left, when he leaves twice, then failed_precondition not_member', () => {
    const error = refusal(given({ $case: 'memberLeft', value: { userId: 'bob' } }), {
      type: 'LeaveRoom',
      userId: 'bob',
    });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'not_member', field: 'user_id' });
  });

  it('given ann is the only admin, when she leaves, then failed_precondition only_admin', () => {
    const error = refusal(given(), { type: 'LeaveRoom', userId: 'ann' });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('only_admin');
    expect(error.message).toContain('make another member admin first');
  });

  it('given bob was made admin too, when ann leaves, then MemberLeft', () => {
    expect(when(given(promoted('bob')), { type: 'LeaveRoom', userId: 'ann' })).toEqual([
      { $case: 'memberLeft', value: { userId: 'ann' } },
    ]);
  });

  it('given a member who left, when he acts as a member, then he is refused until re-invited', () => {
    const left = given({ $case: 'memberLeft', value: { userId: 'bob' } }, allMembers);
    expect(refusal(left, { type: 'AddMembers', actorId: 'bob', userIds: ['dan'] }).code).toBe(
      'actor_not_member',
    );
    expect(refusal(left, { type: 'OpenRoom', userId: 'bob', deviceId: 'd1' }).code).toBe(
      'not_member',
    );
  });
});

describe('SetRole', () => {
  it('given the admin, when she promotes bob, then RoleSet admin', () => {
    expect(
      when(given(), { type: 'SetRole', actorId: 'ann', userId: 'bob', role: 'admin' }),
    ).toEqual([{ $case: 'roleSet', value: { userId: 'bob', role: 'admin' } }]);
  });

  it('given a member, when he promotes himself, then permission_denied admin_only', () => {
    const error = refusal(given(), {
      type: 'SetRole',
      actorId: 'bob',
      userId: 'bob',
      role: 'admin',
    });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.code).toBe('admin_only');
  });

  it('given ann is the only admin, when she demotes herself, then failed_precondition only_admin', () => {
    const error = refusal(given(), {
      type: 'SetRole',
      actorId: 'ann',
      userId: 'ann',
      role: 'member',
    });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('only_admin');
  });

  it('given two admins, when ann demotes herself, then RoleSet member', () => {
    expect(
      when(given(promoted('bob')), {
        type: 'SetRole',
        actorId: 'ann',
        userId: 'ann',
        role: 'member',
      }),
    ).toEqual([{ $case: 'roleSet', value: { userId: 'ann', role: 'member' } }]);
  });

  it('given bob is a member, when he is made a member again, then nothing to append', () => {
    expect(
      when(given(), { type: 'SetRole', actorId: 'ann', userId: 'bob', role: 'member' }),
    ).toEqual([]);
  });

  it.each(['', 'owner', 'ROOM_ROLE_UNSPECIFIED'])(
    'given the admin, when role is %j, then invalid_argument naming role',
    (role) => {
      const error = refusal(given(), { type: 'SetRole', actorId: 'ann', userId: 'bob', role });
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'invalid_role', field: 'role' });
    },
  );

  it('given the admin, when the target is not a member, then failed_precondition not_member', () => {
    const error = refusal(given(), {
      type: 'SetRole',
      actorId: 'ann',
      userId: 'zed',
      role: 'admin',
    });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('not_member');
  });
});

describe('SetInvitePolicy', () => {
  it('given the admin, when she sets all_members, then InvitePolicySet', () => {
    expect(
      when(given(), { type: 'SetInvitePolicy', actorId: 'ann', policy: 'all_members' }),
    ).toEqual([allMembers]);
  });

  it('given policy admins, when set to admins again, then nothing to append', () => {
    expect(when(given(), { type: 'SetInvitePolicy', actorId: 'ann', policy: 'admins' })).toEqual(
      [],
    );
  });

  it('given a member, when he sets the policy, then permission_denied admin_only', () => {
    const error = refusal(given(), {
      type: 'SetInvitePolicy',
      actorId: 'bob',
      policy: 'all_members',
    });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.code).toBe('admin_only');
  });

  it('given the admin, when the policy is unknown, then invalid_argument naming policy', () => {
    const error = refusal(given(), { type: 'SetInvitePolicy', actorId: 'ann', policy: 'anyone' });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'invalid_policy', field: 'policy' });
  });
});

describe('webhook members', () => {
  const hook: RoomFact = { $case: 'webhookMemberAdded', value: { webhookId: 'wh1', name: 'CI' } };

  it('given a room, when a webhook is added, then WebhookMemberAdded with the trimmed name', () => {
    expect(when(given(), { type: 'AddWebhookMember', webhookId: 'wh1', name: ' CI ' })).toEqual([
      hook,
    ]);
  });

  it('given the webhook is there, when added again with the same name, then nothing to append', () => {
    expect(when(given(hook), { type: 'AddWebhookMember', webhookId: 'wh1', name: 'CI' })).toEqual(
      [],
    );
  });

  it('given the webhook is there, when added again with another name, then failed_precondition webhook_exists', () => {
    const error = refusal(given(hook), {
      type: 'AddWebhookMember',
      webhookId: 'wh1',
      name: 'Deploys',
    });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'webhook_exists', field: 'webhook_id' });
  });

  it('given the webhook is there, when removed, then WebhookMemberRemoved; removing again appends nothing', () => {
    const facts = when(given(hook), { type: 'RemoveWebhookMember', webhookId: 'wh1' });
    expect(facts).toEqual([{ $case: 'webhookMemberRemoved', value: { webhookId: 'wh1' } }]);
    expect(when(given(hook, ...facts), { type: 'RemoveWebhookMember', webhookId: 'wh1' })).toEqual(
      [],
    );
  });

  it('given a room, when the webhook id is invalid, then invalid_argument naming webhook_id', () => {
    const error = refusal(given(), { type: 'AddWebhookMember', webhookId: 'a b', name: 'CI' });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'invalid_webhook_id', field: 'webhook_id' });
  });
});
