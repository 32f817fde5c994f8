import {
  InvitePolicy as PbInvitePolicy,
  MemberKind as PbMemberKind,
  Presence as PbPresence,
  RoomRole as PbRoomRole,
  type RoomEvent,
  type RosterMember as PbRosterMember,
} from '@presence/contracts';
import type { InvitePolicy, RoomFact, RoomRole } from '../domain/room.js';
import type { Presence, RosterMember } from '../domain/roster.js';

/** The body of a stored RoomEvent (its oneof). */
type RoomEventBody = NonNullable<RoomEvent['event']>;

const ROLE_TO_PB: Record<RoomRole, PbRoomRole> = {
  admin: PbRoomRole.ROOM_ROLE_ADMIN,
  member: PbRoomRole.ROOM_ROLE_MEMBER,
};

const POLICY_TO_PB: Record<InvitePolicy, PbInvitePolicy> = {
  admins: PbInvitePolicy.INVITE_POLICY_ADMINS,
  all_members: PbInvitePolicy.INVITE_POLICY_ALL_MEMBERS,
};

const inverse = <K extends string, V extends number>(map: Record<K, V>) =>
  new Map(Object.entries(map).map(([name, value]) => [value as V, name as K]));
const ROLE_FROM_PB = inverse(ROLE_TO_PB);
const POLICY_FROM_PB = inverse(POLICY_TO_PB);

export const roleToPb = (role: RoomRole): PbRoomRole => ROLE_TO_PB[role];

/** A stored role the domain does not know (a newer writer) reads as `member`: never grants more. */
const roleFromPb = (role: PbRoomRole): RoomRole => ROLE_FROM_PB.get(role) ?? 'member';

/** Unknown or unset reads as `admins`, the default and the stricter policy. */
const policyFromPb = (policy: PbInvitePolicy): InvitePolicy =>
  POLICY_FROM_PB.get(policy) ?? 'admins';

/**
 * A requested role or policy by its domain name; an unset or unknown number passes as its digits,
 * for the domain to refuse by name (`invalid_role`, `invalid_policy`).
 */
export const requestedRole = (role: PbRoomRole): string => ROLE_FROM_PB.get(role) ?? String(role);
export const requestedPolicy = (policy: PbInvitePolicy): string =>
  POLICY_FROM_PB.get(policy) ?? String(policy);

/** The domain fact as the RoomEvent oneof: the same fields, enums as protobuf numbers. */
export function factToPb(fact: RoomFact): RoomEventBody {
  switch (fact.$case) {
    case 'roomCreated':
      return {
        $case: 'roomCreated',
        value: {
          ...fact.value,
          memberIds: [...fact.value.memberIds],
          invitePolicy: POLICY_TO_PB[fact.value.invitePolicy],
        },
      };
    case 'membersAdded':
      return { $case: 'membersAdded', value: { userIds: [...fact.value.userIds] } };
    case 'roleSet':
      return { $case: 'roleSet', value: { ...fact.value, role: roleToPb(fact.value.role) } };
    case 'invitePolicySet':
      return { $case: 'invitePolicySet', value: { policy: POLICY_TO_PB[fact.value.policy] } };
    default:
      // Every other fact has only strings and numbers, field for field the same.
      return { ...fact, value: { ...fact.value } } as RoomEventBody;
  }
}

/** The stored oneof as a domain fact; undefined for an empty body (nothing to fold). */
export function factFromPb(body: RoomEvent['event']): RoomFact | undefined {
  if (body === undefined) return undefined;
  switch (body.$case) {
    case 'roomCreated':
      return {
        $case: 'roomCreated',
        value: { ...body.value, invitePolicy: policyFromPb(body.value.invitePolicy) },
      };
    case 'roleSet':
      return { $case: 'roleSet', value: { ...body.value, role: roleFromPb(body.value.role) } };
    case 'invitePolicySet':
      return { $case: 'invitePolicySet', value: { policy: policyFromPb(body.value.policy) } };
    default:
      return body as RoomFact;
  }
}

const PRESENCE_FROM_PB: Record<PbPresence, Presence> = {
  [PbPresence.PRESENCE_UNSPECIFIED]: 'unspecified',
  [PbPresence.PRESENCE_ONLINE]: 'online',
  [PbPresence.PRESENCE_AWAY]: 'away',
  [PbPresence.PRESENCE_BUSY]: 'busy',
  [PbPresence.PRESENCE_OFFLINE]: 'offline',
  [PbPresence.PRESENCE_INVISIBLE]: 'invisible',
};

const PRESENCE_TO_PB: Record<Presence, PbPresence> = {
  unspecified: PbPresence.PRESENCE_OFFLINE,
  online: PbPresence.PRESENCE_ONLINE,
  away: PbPresence.PRESENCE_AWAY,
  busy: PbPresence.PRESENCE_BUSY,
  offline: PbPresence.PRESENCE_OFFLINE,
  invisible: PbPresence.PRESENCE_OFFLINE,
};

export const presenceFromPb = (presence: PbPresence): Presence =>
  PRESENCE_FROM_PB[presence] ?? 'unspecified';

/** A roster entry on the wire; a user never seen is `offline` there, as others see them. */
export function rosterMemberToPb(member: RosterMember): PbRosterMember {
  return {
    userId: member.userId,
    kind:
      member.kind === 'webhook' ? PbMemberKind.MEMBER_KIND_WEBHOOK : PbMemberKind.MEMBER_KIND_USER,
    role: roleToPb(member.role),
    present: member.present,
    presence: PRESENCE_TO_PB[member.presence],
  };
}
