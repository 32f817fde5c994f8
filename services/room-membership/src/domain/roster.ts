import type { RoomRole, RoomState } from './room.js';

/**
 * Present / Not Present (RULES.md 6). `Presence` mirrors the proto enum; the value passed in is
 * always the public one, as other users see it: invisible and hidden users are published as
 * offline, and `invisible` or `unspecified` (never seen) are treated as offline here too, so a
 * private state can never make anyone Present.
 */
export type Presence = 'unspecified' | 'online' | 'away' | 'busy' | 'offline' | 'invisible';
export type MemberKind = 'user' | 'webhook';

export interface RosterMember {
  /** The user id, or the webhook id for webhooks. */
  readonly userId: string;
  readonly kind: MemberKind;
  readonly role: RoomRole;
  readonly present: boolean;
  readonly presence: Presence;
}

const ONLINE: ReadonlySet<Presence> = new Set<Presence>(['online', 'away', 'busy']);

/**
 * Present iff the room is open for the member and they are online as others see them. Away and
 * busy count as online: Present is unrelated to the availability dot (seed Q&A). A hidden room is
 * closed, so its member is Not Present.
 */
export function isPresent(roomOpenForMember: boolean, publicPresence: Presence): boolean {
  return roomOpenForMember && ONLINE.has(publicPresence);
}

/**
 * The roster: users by id, then webhooks by id (code-unit order, not locale, so every replica
 * agrees). A webhook has no devices, so it is `offline` and never Present; it has no role in the
 * room and shows as `member`.
 */
export function rosterOf(
  state: RoomState,
  presenceOf: (userId: string) => Presence,
): RosterMember[] {
  const users = [...state.members.keys()]
    .sort()
    .map((userId) => rosterMemberOf(state, 'user', userId, presenceOf)!);
  const webhooks = [...state.webhooks.keys()]
    .sort()
    .map((webhookId) => rosterMemberOf(state, 'webhook', webhookId, presenceOf)!);
  return [...users, ...webhooks];
}

/** One roster entry, as `rosterOf` lists it; undefined when not (or no longer) in the room. */
export function rosterMemberOf(
  state: RoomState,
  kind: MemberKind,
  id: string,
  presenceOf: (userId: string) => Presence,
): RosterMember | undefined {
  if (kind === 'webhook') {
    if (!state.webhooks.has(id)) return undefined;
    return { userId: id, kind, role: 'member', present: false, presence: 'offline' };
  }
  const member = state.members.get(id);
  if (!member) return undefined;
  const presence = presenceOf(id);
  return {
    userId: id,
    kind,
    role: member.role,
    present: isPresent(member.open, presence),
    presence,
  };
}

/** What a roster watcher must be told about one member (RosterUpdate.member_changed / _removed). */
export type MemberChange =
  | { readonly type: 'changed'; readonly member: RosterMember }
  | { readonly type: 'removed'; readonly userId: string; readonly kind: MemberKind };

/**
 * `changed` when the member appeared or something the roster shows changed (present, presence,
 * or role: a promotion must reach watchers too); `removed` when they left the roster; `null`
 * otherwise, so a presence event that changes nothing shown (status text, last active) sends no
 * `room.member.changed`.
 */
export function memberChange(
  before: RosterMember | undefined,
  after: RosterMember | undefined,
): MemberChange | null {
  if (!after) return before ? { type: 'removed', userId: before.userId, kind: before.kind } : null;
  if (
    before &&
    before.present === after.present &&
    before.presence === after.presence &&
    before.role === after.role
  ) {
    return null;
  }
  return { type: 'changed', member: after };
}
