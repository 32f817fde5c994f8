import { isValidId } from '@presence/domain';

/**
 * The room, message and meeting frames of CONTRACT.md, validated field by field even while their
 * services answer `unavailable`, so a client learns about a malformed frame at once and not only
 * when the service lands.
 */

export const AUDIO_MODES = ['voip', 'phone', 'room_system', 'none'] as const;
export const MEETING_INDICATORS = ['muted', 'video', 'screen_share', 'viewing_share'] as const;
/** Longest chat message accepted in one `message.post`, in UTF-16 code units. */
export const MAX_MESSAGE_CHARS = 8_000;

const ROOM_FRAMES = new Set(['room.open', 'room.close', 'room.hide', 'room.watch', 'room.unwatch']);
const MEETING_FRAMES = new Set([
  'meeting.join',
  'meeting.leave',
  'meeting.decline',
  'meeting.late',
  'meeting.update',
  'meeting.watch',
  'meeting.unwatch',
]);

export const COLLAB_FRAME_TYPES: ReadonlySet<string> = new Set([
  ...ROOM_FRAMES,
  'message.post',
  ...MEETING_FRAMES,
]);

/** `name` is the frame's type (`room.open`, `meeting.join`...), `kind` what it is about. */
export type CollabFrame =
  | { readonly kind: 'room'; readonly name: string; readonly room: string }
  | {
      readonly kind: 'message';
      readonly name: 'message.post';
      readonly room: string;
      readonly content: string;
    }
  | {
      readonly kind: 'meeting';
      readonly name: string;
      readonly meeting: string;
      readonly audio?: (typeof AUDIO_MODES)[number];
      readonly indicators?: Partial<Record<(typeof MEETING_INDICATORS)[number], boolean>>;
    };

/** Parses a frame whose type is in COLLAB_FRAME_TYPES; `invalid` names the field that is wrong. */
export function parseCollabFrame(
  type: string,
  raw: Record<string, unknown>,
): CollabFrame | { readonly invalid: string } {
  if (ROOM_FRAMES.has(type) || type === 'message.post') {
    const room = raw['room'];
    if (!isValidId(room))
      return { invalid: 'field "room" must be a room id ([A-Za-z0-9_-]{1,128})' };
    if (type !== 'message.post') return { kind: 'room', name: type, room };
    const content = raw['content'];
    if (typeof content !== 'string' || content.trim() === '') {
      return { invalid: 'field "content" must be a non-empty string' };
    }
    if (content.length > MAX_MESSAGE_CHARS) {
      return { invalid: `field "content" must be at most ${MAX_MESSAGE_CHARS} characters` };
    }
    return { kind: 'message', name: type, room, content };
  }
  const meeting = raw['meeting'];
  if (!isValidId(meeting)) {
    return { invalid: 'field "meeting" must be a meeting id ([A-Za-z0-9_-]{1,128})' };
  }
  if (type === 'meeting.join') {
    const audio = raw['audio'];
    if (audio === undefined) return { kind: 'meeting', name: type, meeting };
    if (!AUDIO_MODES.includes(audio as (typeof AUDIO_MODES)[number])) {
      return { invalid: `field "audio" must be one of ${AUDIO_MODES.join(', ')}` };
    }
    return { kind: 'meeting', name: type, meeting, audio: audio as (typeof AUDIO_MODES)[number] };
  }
  if (type === 'meeting.update') {
    const indicators: Partial<Record<(typeof MEETING_INDICATORS)[number], boolean>> = {};
    for (const key of MEETING_INDICATORS) {
      const value = raw[key];
      if (value === undefined) continue;
      if (typeof value !== 'boolean') return { invalid: `field "${key}" must be a boolean` };
      indicators[key] = value;
    }
    if (Object.keys(indicators).length === 0) {
      return { invalid: `meeting.update needs at least one of ${MEETING_INDICATORS.join(', ')}` };
    }
    return { kind: 'meeting', name: type, meeting, indicators };
  }
  return { kind: 'meeting', name: type, meeting };
}
