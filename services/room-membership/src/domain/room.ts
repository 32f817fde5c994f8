import { assertNever } from '@presence/domain';

/**
 * The room aggregate (RULES.md 6). Facts mirror the `RoomEvent.event` oneof of
 * `proto/presence/v1/rooms.proto` field for field (`$case` + `value`, camelCase), with enums as
 * string literals: the codec only maps enums, and the generated types stay out of the domain
 * (STYLE.md). The envelope (event id, room id, time, actor) is the adapter's.
 */
export type RoomRole = 'admin' | 'member';
/** Who may add members: `admins` is the default (RULES.md 6). */
export type InvitePolicy = 'admins' | 'all_members';

export interface RoomCreated {
  readonly name: string;
  readonly creatorId: string;
  /** Joined as members; never contains the creator, no duplicates. */
  readonly memberIds: readonly string[];
  readonly invitePolicy: InvitePolicy;
}
export interface MembersAdded {
  readonly userIds: readonly string[];
}
export interface MemberRemoved {
  readonly userId: string;
}
export interface MemberLeft {
  readonly userId: string;
}
export interface RoleSet {
  readonly userId: string;
  readonly role: RoomRole;
}
export interface InvitePolicySet {
  readonly policy: InvitePolicy;
}
/** `deviceId` is empty when the system opened it (invite, mention). */
export interface RoomOpened {
  readonly userId: string;
  readonly deviceId: string;
}
export interface RoomClosed {
  readonly userId: string;
  readonly deviceId: string;
}
export interface RoomHidden {
  readonly userId: string;
  readonly deviceId: string;
}
export interface RoomPositionSet {
  readonly userId: string;
  readonly position: number;
}
export interface WebhookMemberAdded {
  readonly webhookId: string;
  readonly name: string;
}
export interface WebhookMemberRemoved {
  readonly webhookId: string;
}
export interface UnreadChanged {
  readonly userId: string;
  readonly unread: number;
}

/** One fact of the ROOMS stream: the body of a `RoomEvent`. */
export type RoomFact =
  | { readonly $case: 'roomCreated'; readonly value: RoomCreated }
  | { readonly $case: 'membersAdded'; readonly value: MembersAdded }
  | { readonly $case: 'memberRemoved'; readonly value: MemberRemoved }
  | { readonly $case: 'memberLeft'; readonly value: MemberLeft }
  | { readonly $case: 'roleSet'; readonly value: RoleSet }
  | { readonly $case: 'invitePolicySet'; readonly value: InvitePolicySet }
  | { readonly $case: 'roomOpened'; readonly value: RoomOpened }
  | { readonly $case: 'roomClosed'; readonly value: RoomClosed }
  | { readonly $case: 'roomHidden'; readonly value: RoomHidden }
  | { readonly $case: 'roomPositionSet'; readonly value: RoomPositionSet }
  | { readonly $case: 'webhookMemberAdded'; readonly value: WebhookMemberAdded }
  | { readonly $case: 'webhookMemberRemoved'; readonly value: WebhookMemberRemoved }
  | { readonly $case: 'unreadChanged'; readonly value: UnreadChanged };

/**
 * A member's role and their own room state. The per-user state lives inside the membership so it
 * cannot outlive it: a member who leaves or is removed and is re-invited starts afresh.
 * `open` is per user, not per device: every device shows the same (RULES.md 6).
 */
export interface Member {
  readonly role: RoomRole;
  readonly open: boolean;
  /** A hidden room is always closed; opening it un-hides it. */
  readonly hidden: boolean;
  readonly position: number;
  readonly unread: number;
}

export interface RoomState {
  /** False until RoomCreated: every command but create is refused before it. */
  readonly created: boolean;
  readonly name: string;
  readonly invitePolicy: InvitePolicy;
  readonly members: ReadonlyMap<string, Member>;
  /** Webhook id -> display name (RULES.md 9: shown in the roster as kind `webhook`). */
  readonly webhooks: ReadonlyMap<string, string>;
}

export const emptyRoom: RoomState = Object.freeze({
  created: false,
  name: '',
  invitePolicy: 'admins',
  members: new Map<string, Member>(),
  webhooks: new Map<string, string>(),
});

/**
 * Joining opens the room for the new member (RULES.md 6: an invited member's room opens on their
 * desktop), as part of RoomCreated / MembersAdded rather than a RoomOpened per member: inviting
 * 10,000 people is one fact, not 10,001.
 */
const newMember = (role: RoomRole): Member => ({
  role,
  open: true,
  hidden: false,
  position: 0,
  unread: 0,
});

/**
 * Folds one fact. Total and forgiving: a fact that does not fit the state (a RoomOpened for a
 * non-member, a second RoomCreated) changes nothing, so a replay of an odd log never throws.
 * Returns the same object when nothing changed.
 */
export function applyRoomEvent(state: RoomState, fact: RoomFact): RoomState {
  switch (fact.$case) {
    case 'roomCreated':
      return state.created ? state : created(fact.value);
    case 'membersAdded':
      return withMembers(state, fact.value.userIds);
    case 'memberRemoved':
    case 'memberLeft':
      return withoutMember(state, fact.value.userId);
    case 'roleSet':
      return updateMember(state, fact.value.userId, { role: fact.value.role });
    case 'invitePolicySet':
      return { ...state, invitePolicy: fact.value.policy };
    case 'roomOpened':
      return updateMember(state, fact.value.userId, { open: true, hidden: false });
    case 'roomClosed':
      return updateMember(state, fact.value.userId, { open: false });
    case 'roomHidden':
      return updateMember(state, fact.value.userId, { open: false, hidden: true });
    case 'roomPositionSet':
      return updateMember(state, fact.value.userId, { position: fact.value.position });
    case 'unreadChanged':
      return updateMember(state, fact.value.userId, { unread: fact.value.unread });
    case 'webhookMemberAdded':
      return {
        ...state,
        webhooks: new Map(state.webhooks).set(fact.value.webhookId, fact.value.name),
      };
    case 'webhookMemberRemoved':
      return withoutWebhook(state, fact.value.webhookId);
    default:
      return assertNever(fact);
  }
}

export function foldRoom(facts: Iterable<RoomFact>, from: RoomState = emptyRoom): RoomState {
  let state = from;
  for (const fact of facts) state = applyRoomEvent(state, fact);
  return state;
}

function created(fact: RoomCreated): RoomState {
  const members = new Map<string, Member>([[fact.creatorId, newMember('admin')]]);
  for (const id of fact.memberIds) if (!members.has(id)) members.set(id, newMember('member'));
  return { ...emptyRoom, created: true, name: fact.name, invitePolicy: fact.invitePolicy, members };
}

function withMembers(state: RoomState, userIds: readonly string[]): RoomState {
  const joining = userIds.filter((id) => !state.members.has(id));
  if (joining.length === 0) return state;
  const members = new Map(state.members);
  for (const id of joining) members.set(id, newMember('member'));
  return { ...state, members };
}

function withoutMember(state: RoomState, userId: string): RoomState {
  if (!state.members.has(userId)) return state;
  const members = new Map(state.members);
  members.delete(userId);
  return { ...state, members };
}

function withoutWebhook(state: RoomState, webhookId: string): RoomState {
  if (!state.webhooks.has(webhookId)) return state;
  const webhooks = new Map(state.webhooks);
  webhooks.delete(webhookId);
  return { ...state, webhooks };
}

function updateMember(state: RoomState, userId: string, change: Partial<Member>): RoomState {
  const member = state.members.get(userId);
  if (!member) return state;
  return { ...state, members: new Map(state.members).set(userId, { ...member, ...change }) };
}

/** The admins of the room, for the only-admin rules. */
export function adminCount(state: RoomState): number {
  let count = 0;
  for (const member of state.members.values()) if (member.role === 'admin') count += 1;
  return count;
}
