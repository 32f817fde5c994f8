import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './frames.js';

const limits = { maxFrameBytes: 4096, maxUsersPerFrame: 3 };
const parse = (value: unknown) => {
  const text = JSON.stringify(value);
  return parseClientFrame(text, Buffer.byteLength(text), limits);
};

describe('status frames: parsing', () => {
  it.each([
    [
      { type: 'status.set', id: 1, presence: 'busy' },
      { type: 'status.set', id: 1, presence: 'busy' },
    ],
    [
      { type: 'status.set', presence: 'invisible', text: ' 🌴 off ' },
      { type: 'status.set', presence: 'invisible', text: ' 🌴 off ' },
    ],
    [
      { type: 'status.custom', id: 'c', custom_status_id: 'cs-1' },
      { type: 'status.custom', id: 'c', customStatusId: 'cs-1' },
    ],
    [
      { type: 'status.text', text: '' },
      { type: 'status.text', text: '' },
    ],
    [
      { type: 'status.text', text: 'lunch', clear_after_s: 3600 },
      { type: 'status.text', text: 'lunch', clearAfterS: 3600 },
    ],
    [
      { type: 'status.text', text: 'trip', clear_after_s: 604_800 },
      { type: 'status.text', text: 'trip', clearAfterS: 604_800 },
    ],
    [
      { type: 'preferences.set', idle_timeout_s: 600 },
      { type: 'preferences.set', idleTimeoutS: 600 },
    ],
    [
      { type: 'preferences.set', share_availability: 'nobody' },
      { type: 'preferences.set', shareAvailability: 'nobody' },
    ],
    [
      { type: 'preferences.set', idle_timeout_s: 0, share_availability: 'everyone' },
      { type: 'preferences.set', idleTimeoutS: 0, shareAvailability: 'everyone' },
    ],
  ])('parses %j', (frame, expected) => {
    expect(parse(frame)).toEqual({ ok: true, frame: expected });
  });

  it.each([
    [{ type: 'status.set' }, /"presence" must be one of online, away, busy, invisible/],
    [{ type: 'status.set', presence: 'offline' }, /"presence" must be one of/],
    [{ type: 'status.set', presence: 'ONLINE' }, /"presence" must be one of/],
    [{ type: 'status.set', presence: 'busy', text: 42 }, /"text" must be a string/],
    [{ type: 'status.set', presence: 'busy', text: null }, /"text" must be a string/],
    [{ type: 'status.custom' }, /"custom_status_id"/],
    [{ type: 'status.custom', custom_status_id: 7 }, /"custom_status_id"/],
    [{ type: 'status.custom', custom_status_id: 'a.b' }, /"custom_status_id"/],
    [{ type: 'status.text' }, /"text" must be a string/],
    [{ type: 'status.text', text: ['x'] }, /"text" must be a string/],
    [{ type: 'status.text', text: 'x', clear_after_s: -1 }, /"clear_after_s" must be an integer/],
    [{ type: 'status.text', text: 'x', clear_after_s: 1.5 }, /"clear_after_s"/],
    [{ type: 'status.text', text: 'x', clear_after_s: '60' }, /"clear_after_s"/],
    [{ type: 'status.text', text: 'x', clear_after_s: 604_801 }, /from 0 to 604800/],
    [{ type: 'preferences.set' }, /at least one of "idle_timeout_s" and "share_availability"/],
    [{ type: 'preferences.set', idle_timeout_s: '300' }, /"idle_timeout_s" must be/],
    [{ type: 'preferences.set', idle_timeout_s: 90.5 }, /"idle_timeout_s" must be/],
    [{ type: 'preferences.set', idle_timeout_s: -60 }, /"idle_timeout_s" must be/],
    [{ type: 'preferences.set', idle_timeout_s: 2 ** 32 }, /"idle_timeout_s" must be/],
    [{ type: 'preferences.set', share_availability: 'friends' }, /"share_availability"/],
  ])('refuses %j with invalid_field naming the field', (frame, message) => {
    const result = parse({ ...frame, id: 'f' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_field', id: 'f' } });
    if (!result.ok) expect(result.error.message).toMatch(message);
  });
});
