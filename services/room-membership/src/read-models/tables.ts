import type { ColumnType } from 'kysely';
import type { CheckpointTables } from '@presence/store';

type Int8 = ColumnType<string, string, string>;

/**
 * The service's tables (schema `rooms`), written by the ROOMS projection with its checkpoint
 * (`rooms`) in one transaction per batch. Every value comes from the facts (no `now()`), so a
 * replay of the stream gives the same rows.
 */
export interface RoomsTable {
  room_id: string;
  name: string;
  /** `admins` | `all_members`. */
  invite_policy: string;
  /** The ROOMS sequence of the last fact about the room. */
  version: Int8;
}

/** Users and webhooks of a room, with each user's own room state (RULES.md 6). */
export interface RoomMembersTable {
  room_id: string;
  /** `user` | `webhook`. */
  kind: string;
  /** The user id, or the webhook id. */
  member_id: string;
  /** `admin` | `member` (webhooks: `member`). */
  role: string;
  /** The webhook's display name; null for users. */
  name: string | null;
  open: boolean;
  hidden: boolean;
  position: number;
  unread: number;
}

export interface RoomsDatabase extends CheckpointTables {
  rooms: RoomsTable;
  room_members: RoomMembersTable;
}

/** The projection's checkpoint name. */
export const ROOMS_PROJECTION = 'rooms';
