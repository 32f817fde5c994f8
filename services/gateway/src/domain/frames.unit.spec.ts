import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './frames.js';

const limits = { maxFrameBytes: 1024, maxUsersPerFrame: 3 };
const parse = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return parseClientFrame(text, Buffer.byteLength(text), limits);
};

describe('parseClientFrame', () => {
  it('parses watch and unwatch, de-duplicating ids and keeping the frame id', () => {
    expect(parse({ type: 'watch', id: 7, users: ['a', 'b', 'a'] })).toEqual({
      ok: true,
      frame: { type: 'watch', id: 7, users: ['a', 'b'] },
    });
    expect(parse({ type: 'unwatch', users: ['a'] })).toEqual({
      ok: true,
      frame: { type: 'unwatch', users: ['a'] },
    });
  });

  it('parses goodbye, activity and device system events', () => {
    expect(parse({ type: 'goodbye' })).toEqual({ ok: true, frame: { type: 'goodbye' } });
    expect(parse({ type: 'activity', id: 'x' })).toEqual({
      ok: true,
      frame: { type: 'activity', id: 'x' },
    });
    expect(parse({ type: 'device', state: 'locked' })).toEqual({
      ok: true,
      frame: { type: 'device', state: 'locked' },
    });
  });

  it('parses room, message and meeting frames for their services', () => {
    expect(parse({ type: 'room.open', id: 1, room: 'r' })).toEqual({
      ok: true,
      frame: { type: 'collab', id: 1, frame: { kind: 'room', name: 'room.open', room: 'r' } },
    });
    expect(parse({ type: 'meeting.join', meeting: 'm', audio: 'phone' })).toEqual({
      ok: true,
      frame: {
        type: 'collab',
        frame: { kind: 'meeting', name: 'meeting.join', meeting: 'm', audio: 'phone' },
      },
    });
  });

  it('parses auth.refresh with its token', () => {
    expect(parse({ type: 'auth.refresh', token: 'a.b.c' })).toEqual({
      ok: true,
      frame: { type: 'auth.refresh', token: 'a.b.c' },
    });
  });

  it.each([
    ['{"type":', 'invalid_json', /not valid JSON/],
    ['[1,2]', 'invalid_frame', /JSON object/],
    ['"watch"', 'invalid_frame', /JSON object/],
    ['{"users":[]}', 'invalid_frame', /"type"/],
    ['{"type":"dance"}', 'unknown_type', /unknown frame type "dance"/],
    ['{"type":"watch"}', 'invalid_field', /"users"/],
    ['{"type":"watch","users":"bob"}', 'invalid_field', /"users"/],
    ['{"type":"watch","users":["a","b","c","d"]}', 'invalid_field', /at most 3/],
    ['{"type":"watch","users":["ok","bad.id"]}', 'invalid_user_id', /users\[1\] = "bad.id"/],
    ['{"type":"watch","users":[42]}', 'invalid_user_id', /users\[0\] = 42/],
    ['{"type":"device","state":"dancing"}', 'invalid_field', /"state" must be one of/],
    ['{"type":"goodbye","id":{}}', 'invalid_field', /"id"/],
    ['{"type":"auth.refresh"}', 'invalid_field', /"token"/],
    ['{"type":"room.open"}', 'invalid_field', /"room" must be a room id/],
    ['{"type":"room.watch","room":"a b"}', 'invalid_field', /"room" must be a room id/],
    ['{"type":"meeting.leave","meeting":7}', 'invalid_field', /"meeting" must be a meeting id/],
  ])('rejects %s with %s', (text, code, message) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).toMatch(message);
    }
  });

  it('returns the frame id with an error when it could be read', () => {
    expect(parse({ type: 'dance', id: 'req-1' })).toMatchObject({
      ok: false,
      error: { id: 'req-1' },
    });
  });

  it('rejects a frame over the size limit before parsing it', () => {
    const big = JSON.stringify({ type: 'watch', users: ['a'], pad: 'x'.repeat(2000) });
    expect(parse(big)).toMatchObject({ ok: false, error: { code: 'frame_too_large' } });
  });
});
