import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLLAB_FRAME_TYPES } from './collab-frames.js';
import { parseClientFrame } from './frames.js';
import { STATUS_FRAME_TYPES } from './status-frames.js';

const limits = { maxFrameBytes: 4096, maxUsersPerFrame: 50 };
const ERROR_CODES = [
  'invalid_json',
  'invalid_frame',
  'unknown_type',
  'invalid_field',
  'invalid_user_id',
  'frame_too_large',
];
const TYPES = [
  'watch',
  'unwatch',
  'goodbye',
  'activity',
  'device',
  'auth.refresh',
  ...STATUS_FRAME_TYPES,
  ...COLLAB_FRAME_TYPES,
];

/** Frames shaped like the protocol's: a known type, the contract's field names, any values. */
const nearlyValid = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    id: fc.oneof(fc.string(), fc.integer(), fc.jsonValue()),
    users: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
    state: fc.oneof(fc.constantFrom('locked', 'sleep'), fc.jsonValue()),
    presence: fc.oneof(fc.constantFrom('online', 'busy', 'invisible'), fc.jsonValue()),
    text: fc.oneof(fc.string(), fc.jsonValue()),
    room: fc.oneof(fc.string(), fc.jsonValue()),
    meeting: fc.oneof(fc.string(), fc.jsonValue()),
    content: fc.oneof(fc.string(), fc.jsonValue()),
    token: fc.oneof(fc.string(), fc.jsonValue()),
    muted: fc.jsonValue(),
  },
  { requiredKeys: ['type'] },
);

function expectAnswered(text: string): void {
  const result = parseClientFrame(text, Buffer.byteLength(text), limits);
  if (result.ok) {
    expect(TYPES.includes(result.frame.type) || result.frame.type === 'collab').toBe(true);
  } else {
    expect(ERROR_CODES).toContain(result.error.code);
    expect(result.error.message.length).toBeGreaterThan(0);
    expect(result.error.message.length).toBeLessThan(400);
  }
}

describe('parseClientFrame under fuzzing (fast-check)', () => {
  it('answers any text with a frame or a documented error, never a throw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 6000 }), expectAnswered), {
      numRuns: 2000,
    });
  });

  it('answers any JSON value the same way', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectAnswered(JSON.stringify(value) ?? 'null')),
      { numRuns: 2000 },
    );
  });

  it('answers frames that look like the protocol with a frame or a documented error', () => {
    fc.assert(
      fc.property(nearlyValid, (frame) => expectAnswered(JSON.stringify(frame))),
      { numRuns: 5000 },
    );
  });
});
