import { isValidId } from '@presence/domain';
import { COLLAB_FRAME_TYPES, parseCollabFrame, type CollabFrame } from './collab-frames.js';
import { parseStatusFrame, STATUS_FRAME_TYPES, type StatusFrame } from './status-frames.js';

/**
 * The device protocol's client frames (CONTRACT.md), parsed and validated without I/O. A frame
 * that fails validation becomes a `FrameError` with a stable snake_case code and a message that
 * names the field; the connection stays open.
 */

export type ClientFrame =
  | { readonly type: 'watch' | 'unwatch'; readonly id?: FrameId; readonly users: readonly string[] }
  | { readonly type: 'goodbye'; readonly id?: FrameId }
  | { readonly type: 'activity'; readonly id?: FrameId }
  | { readonly type: 'device'; readonly id?: FrameId; readonly state: SystemStateName }
  /** `status.set`, `status.custom`, `status.text`, `preferences.set` (status-frames.ts). */
  | (StatusFrame & { readonly id?: FrameId })
  | { readonly type: 'auth.refresh'; readonly id?: FrameId; readonly token: string }
  /** Room, message and meeting frames (collab-frames.ts), for services that answer `unavailable` until they land. */
  | { readonly type: 'collab'; readonly id?: FrameId; readonly frame: CollabFrame };

export type FrameId = string | number;

export const SYSTEM_STATES = [
  'locked',
  'unlocked',
  'sleep',
  'wake',
  'background',
  'foreground',
] as const;
export type SystemStateName = (typeof SYSTEM_STATES)[number];

export interface FrameError {
  readonly code:
    | 'invalid_json'
    | 'invalid_frame'
    | 'unknown_type'
    | 'invalid_field'
    | 'invalid_user_id'
    | 'frame_too_large';
  readonly message: string;
  /** The frame's `id` when it could be read, so the client can match the error. */
  readonly id?: FrameId;
}

export type ParseResult =
  | { readonly ok: true; readonly frame: ClientFrame }
  | { readonly ok: false; readonly error: FrameError };

export interface ParseLimits {
  /** Largest accepted frame in bytes (UTF-8). */
  readonly maxFrameBytes: number;
  /** Most user ids in one watch/unwatch frame. */
  readonly maxUsersPerFrame: number;
}

const fail = (code: FrameError['code'], message: string, id?: FrameId): ParseResult => ({
  ok: false,
  error: id === undefined ? { code, message } : { code, message, id },
});

/** Parses one text frame; `byteLength` is the frame's size on the wire. */
export function parseClientFrame(
  text: string,
  byteLength: number,
  limits: ParseLimits,
): ParseResult {
  if (byteLength > limits.maxFrameBytes) {
    return fail(
      'frame_too_large',
      `frame is ${byteLength} bytes; the limit is ${limits.maxFrameBytes} bytes`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail('invalid_json', `frame is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('invalid_frame', 'frame must be a JSON object with a "type"');
  }
  const raw = value as Record<string, unknown>;
  const id = raw['id'];
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    return fail('invalid_field', 'field "id" must be a string or a number');
  }
  if (typeof id === 'string' && id.length > 128) {
    return fail('invalid_field', 'field "id" must be at most 128 characters');
  }
  const type = raw['type'];
  if (typeof type !== 'string') return fail('invalid_frame', 'frame must have a string "type"', id);
  return parseTyped(type, raw, id, limits);
}

function parseTyped(
  type: string,
  raw: Record<string, unknown>,
  id: FrameId | undefined,
  limits: ParseLimits,
): ParseResult {
  const ok = (frame: ClientFrame): ParseResult => ({
    ok: true,
    frame: id === undefined ? frame : { ...frame, id },
  });
  switch (type) {
    case 'watch':
    case 'unwatch': {
      const users = raw['users'];
      if (!Array.isArray(users) || users.length === 0) {
        return fail('invalid_field', `field "users" must be a non-empty array of user ids`, id);
      }
      if (users.length > limits.maxUsersPerFrame) {
        return fail(
          'invalid_field',
          `field "users" has ${users.length} ids; at most ${limits.maxUsersPerFrame} per frame`,
          id,
        );
      }
      const bad = users.findIndex((user) => !isValidId(user));
      if (bad !== -1) {
        const shown = JSON.stringify(users[bad]);
        return fail(
          'invalid_user_id',
          `users[${bad}] = ${shown.slice(0, 140)} is not a valid user id ([A-Za-z0-9_-]{1,128})`,
          id,
        );
      }
      return ok({ type, users: [...new Set(users as string[])] });
    }
    case 'goodbye':
    case 'activity':
      return ok({ type });
    case 'device': {
      const state = raw['state'];
      if (!SYSTEM_STATES.includes(state as SystemStateName)) {
        return fail(
          'invalid_field',
          `field "state" must be one of ${SYSTEM_STATES.join(', ')}`,
          id,
        );
      }
      return ok({ type, state: state as SystemStateName });
    }
    case 'auth.refresh': {
      const token = raw['token'];
      if (typeof token !== 'string' || token === '') {
        return fail('invalid_field', 'field "token" must be a non-empty string (a JWT)', id);
      }
      return ok({ type, token });
    }
    default:
      if (STATUS_FRAME_TYPES.has(type)) {
        const parsed = parseStatusFrame(type, raw);
        return 'invalid' in parsed ? fail('invalid_field', parsed.invalid, id) : ok(parsed);
      }
      if (COLLAB_FRAME_TYPES.has(type)) {
        const parsed = parseCollabFrame(type, raw);
        return 'invalid' in parsed
          ? fail('invalid_field', parsed.invalid, id)
          : ok({ type: 'collab', frame: parsed });
      }
      return fail('unknown_type', `unknown frame type ${JSON.stringify(type).slice(0, 80)}`, id);
  }
}
