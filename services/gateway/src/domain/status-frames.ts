import { isValidId } from '@presence/domain';
import { PRESENCE_CHOICES, type PresenceChoice } from './workspace.js';

/**
 * The status frames of the device protocol (CONTRACT.md: `status.set`, `status.custom`,
 * `status.text`, `preferences.set`), checked for shape only. Rules that depend on the workspace
 * (invisible allowed, text allowed, known custom status, minimum idle timeout) and the status text
 * rules are the decider's (status-commands.ts), so gRPC SetStatus shares them.
 */

export const SHARE_AVAILABILITY = ['everyone', 'nobody'] as const;
export type ShareAvailabilityName = (typeof SHARE_AVAILABILITY)[number];

/** Seven days: the longest status text expiry a client may ask for. */
export const MAX_CLEAR_AFTER_S = 604_800;
/** `idle_timeout_s` travels as a uint32. */
const MAX_UINT32 = 4_294_967_295;

export type StatusFrame =
  | { readonly type: 'status.set'; readonly presence: PresenceChoice; readonly text?: string }
  | { readonly type: 'status.custom'; readonly customStatusId: string }
  | { readonly type: 'status.text'; readonly text: string; readonly clearAfterS?: number }
  | {
      readonly type: 'preferences.set';
      readonly idleTimeoutS?: number;
      readonly shareAvailability?: ShareAvailabilityName;
    };

export const STATUS_FRAME_TYPES: ReadonlySet<string> = new Set<StatusFrame['type']>([
  'status.set',
  'status.custom',
  'status.text',
  'preferences.set',
]);

/** What is wrong with a status frame's fields (answered as `invalid_field`). */
export interface FieldProblem {
  readonly invalid: string;
}

const isInteger = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

/** Parses the fields of a frame whose type is in {@link STATUS_FRAME_TYPES}. */
export function parseStatusFrame(
  type: string,
  raw: Readonly<Record<string, unknown>>,
): StatusFrame | FieldProblem {
  switch (type) {
    case 'status.set': {
      const presence = raw['presence'];
      if (!PRESENCE_CHOICES.includes(presence as PresenceChoice)) {
        return { invalid: `field "presence" must be one of ${PRESENCE_CHOICES.join(', ')}` };
      }
      const text = raw['text'];
      if (text === undefined) return { type, presence: presence as PresenceChoice };
      if (typeof text !== 'string') return { invalid: 'field "text" must be a string' };
      return { type, presence: presence as PresenceChoice, text };
    }
    case 'status.custom': {
      const id = raw['custom_status_id'];
      if (!isValidId(id)) {
        return { invalid: 'field "custom_status_id" must be an id ([A-Za-z0-9_-]{1,128})' };
      }
      return { type, customStatusId: id };
    }
    case 'status.text': {
      const text = raw['text'];
      if (typeof text !== 'string') {
        return { invalid: 'field "text" must be a string (empty clears the text)' };
      }
      const clearAfter = raw['clear_after_s'];
      if (clearAfter === undefined) return { type, text };
      if (!isInteger(clearAfter, MAX_CLEAR_AFTER_S)) {
        return {
          invalid: `field "clear_after_s" must be an integer from 0 to ${MAX_CLEAR_AFTER_S} (seconds)`,
        };
      }
      return { type, text, clearAfterS: clearAfter };
    }
    case 'preferences.set': {
      const idle = raw['idle_timeout_s'];
      const share = raw['share_availability'];
      if (idle === undefined && share === undefined) {
        return { invalid: 'at least one of "idle_timeout_s" and "share_availability" is required' };
      }
      if (idle !== undefined && !isInteger(idle, MAX_UINT32)) {
        return { invalid: 'field "idle_timeout_s" must be a non-negative integer (seconds)' };
      }
      if (share !== undefined && !SHARE_AVAILABILITY.includes(share as ShareAvailabilityName)) {
        return {
          invalid: `field "share_availability" must be one of ${SHARE_AVAILABILITY.join(', ')}`,
        };
      }
      return {
        type,
        ...(idle === undefined ? {} : { idleTimeoutS: idle }),
        ...(share === undefined ? {} : { shareAvailability: share as ShareAvailabilityName }),
      };
    }
    default:
      return { invalid: `${type} is not a status frame` };
  }
}
