import { deleteRows, upsertRows, type DatabaseOrTransaction } from '@presence/store';
import type { RoomFact, RoomState } from '../domain/room.js';
import type { RoomsDatabase } from './tables.js';

/** A room as the projection knows it: its folded state and the sequence of its last fact. */
export interface ProjectedRoom {
  readonly state: RoomState;
  readonly version: bigint;
}

/** A member row's key: `kind` is `user` or `webhook`. */
export interface MemberKey {
  readonly roomId: string;
  readonly kind: 'user' | 'webhook';
  readonly memberId: string;
}

/** The member rows a fact may change (written again from the folded state, or deleted). */
export function touchedMembers(roomId: string, fact: RoomFact): MemberKey[] {
  const user = (memberId: string): MemberKey => ({ roomId, kind: 'user', memberId });
  switch (fact.$case) {
    case 'roomCreated':
      return [fact.value.creatorId, ...fact.value.memberIds].map(user);
    case 'membersAdded':
      return fact.value.userIds.map(user);
    case 'invitePolicySet':
      return [];
    case 'webhookMemberAdded':
    case 'webhookMemberRemoved':
      return [{ roomId, kind: 'webhook', memberId: fact.value.webhookId }];
    default:
      return [user(fact.value.userId)];
  }
}

const ROOM_COLUMNS = {
  room_id: 'text',
  name: 'text',
  invite_policy: 'text',
  version: 'bigint',
} as const;

const MEMBER_KEY = { room_id: 'text', kind: 'text', member_id: 'text' } as const;

const MEMBER_COLUMNS = {
  ...MEMBER_KEY,
  role: 'text',
  name: 'text',
  open: 'boolean',
  hidden: 'boolean',
  position: 'integer',
  unread: 'integer',
} as const;

/**
 * Writes the rows of the touched rooms and members from their folded state: upserted while they
 * exist, deleted once gone (a member who left or was removed). Rows depend only on the facts, so a
 * replay writes the same rows.
 */
export async function writeRooms(
  db: DatabaseOrTransaction<RoomsDatabase>,
  rooms: ReadonlyMap<string, ProjectedRoom>,
  touchedRooms: Iterable<string>,
  members: Iterable<MemberKey>,
): Promise<void> {
  const roomRows = [...new Set(touchedRooms)].sort().flatMap((roomId) => {
    const room = rooms.get(roomId);
    if (!room?.state.created) return [];
    return [
      {
        room_id: roomId,
        name: room.state.name,
        invite_policy: room.state.invitePolicy,
        version: room.version,
      },
    ];
  });
  const upserts: Record<string, unknown>[] = [];
  const deletes: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const key of members) {
    const id = `${key.roomId}\u0000${key.kind}\u0000${key.memberId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const row = memberRow(rooms.get(key.roomId)?.state, key);
    if (row) upserts.push(row);
    else deletes.push({ room_id: key.roomId, kind: key.kind, member_id: key.memberId });
  }
  await upsertRows(db, { table: 'rooms', key: ['room_id'], columns: ROOM_COLUMNS, rows: roomRows });
  await upsertRows(db, {
    table: 'room_members',
    key: Object.keys(MEMBER_KEY),
    columns: MEMBER_COLUMNS,
    rows: upserts,
  });
  await deleteRows(db, { table: 'room_members', key: MEMBER_KEY, values: deletes });
}

function memberRow(
  state: RoomState | undefined,
  key: MemberKey,
): Record<string, unknown> | undefined {
  const base = { room_id: key.roomId, kind: key.kind, member_id: key.memberId };
  if (key.kind === 'webhook') {
    const name = state?.webhooks.get(key.memberId);
    if (name === undefined) return undefined;
    return { ...base, role: 'member', name, open: false, hidden: false, position: 0, unread: 0 };
  }
  const member = state?.members.get(key.memberId);
  if (!member) return undefined;
  const { role, open, hidden, position, unread } = member;
  return { ...base, role, name: null, open, hidden, position, unread };
}
