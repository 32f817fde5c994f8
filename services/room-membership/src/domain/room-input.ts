import { requireId, ValidationError } from '@presence/domain';
import type { InvitePolicy, RoomRole } from './room.js';

/** Room and webhook names: trimmed, 1 to 200 code points, no control characters. */
export const MAX_ROOM_NAME_CODE_POINTS = 200;
const MAX_UINT32 = 0xffff_ffff;
const CONTROL = /\p{Cc}/u;

/** Returns the trimmed name, or throws `invalid_name` / `name_too_long` naming the field. */
export function requireName(field: string, value: string): string {
  const name = value.trim();
  if (name === '') {
    throw new ValidationError(
      'invalid_name',
      `${field}: must not be empty (1-${MAX_ROOM_NAME_CODE_POINTS} characters)`,
      field,
    );
  }
  if (CONTROL.test(name)) {
    throw new ValidationError(
      'invalid_name',
      `${field}: control characters are not allowed`,
      field,
    );
  }
  const length = [...name].length;
  if (length > MAX_ROOM_NAME_CODE_POINTS) {
    throw new ValidationError(
      'name_too_long',
      `${field}: ${length} characters; at most ${MAX_ROOM_NAME_CODE_POINTS} are allowed`,
      field,
    );
  }
  return name;
}

/** A non-empty list of valid ids, duplicates dropped (first occurrence kept). */
export function requireIdList(field: string, values: readonly string[]): string[] {
  if (values.length === 0) {
    throw new ValidationError(`invalid_${field}`, `${field}: must not be empty`, field);
  }
  return [...new Set(values.map((value) => requireId(field, value)))];
}

/** Empty means "the system did it" (invite, mention); anything else must be a valid id. */
export function requireDeviceId(value: string): string {
  return value === '' ? value : requireId('device_id', value);
}

export function requireRole(value: string): RoomRole {
  if (value === 'admin' || value === 'member') return value;
  throw new ValidationError(
    'invalid_role',
    `role: must be admin or member; got ${JSON.stringify(value)}`,
    'role',
  );
}

export function requirePolicy(value: string): InvitePolicy {
  if (value === 'admins' || value === 'all_members') return value;
  throw new ValidationError(
    'invalid_policy',
    `policy: must be admins or all_members; got ${JSON.stringify(value)}`,
    'policy',
  );
}

/** Positions and unread counts are uint32 on the wire. */
export function requireUint32(field: string, value: number): number {
  if (Number.isInteger(value) && value >= 0 && value <= MAX_UINT32) return value;
  throw new ValidationError(
    `invalid_${field}`,
    `${field}: must be an integer from 0 to ${MAX_UINT32}; got ${value}`,
    field,
  );
}
