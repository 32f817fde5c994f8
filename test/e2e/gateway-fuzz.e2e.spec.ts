import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, isType, type DeviceClient } from '../support/device-client.js';
import { startGatewaySystem, type GatewaySystem } from '../support/gateway-system.js';

/**
 * Random frames at the real gateway (issue 4: fuzz the frame parser): text, JSON values, binary
 * frames and frames shaped like the protocol's with wrong values. The gateway answers each frame
 * that is not a valid command with an `error`, never closes the socket for it, never crashes, and
 * keeps serving the other connections.
 */
let system: GatewaySystem;

beforeAll(async () => {
  system = await startGatewaySystem({
    GATEWAY_FRAMES_PER_S: '100000',
    GATEWAY_FRAME_BURST: '100000',
  });
}, 60_000);

afterAll(() => system?.stop());

const TYPES = [
  'watch',
  'unwatch',
  'activity',
  'device',
  'auth.refresh',
  'status.set',
  'status.custom',
  'status.text',
  'preferences.set',
  'room.open',
  'room.watch',
  'message.post',
  'meeting.join',
  'meeting.update',
  'dance',
];

const shaped = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    id: fc.oneof(fc.string(), fc.integer(), fc.jsonValue()),
    users: fc.oneof(fc.array(fc.string(), { maxLength: 5 }), fc.jsonValue()),
    state: fc.jsonValue(),
    presence: fc.oneof(fc.constantFrom('online', 'busy', 'away'), fc.jsonValue()),
    text: fc.oneof(fc.string(), fc.jsonValue()),
    room: fc.oneof(fc.string(), fc.jsonValue()),
    meeting: fc.jsonValue(),
    token: fc.string(),
    muted: fc.jsonValue(),
  },
  { requiredKeys: ['type'] },
);

const frames = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
  shaped.map((frame) => JSON.stringify(frame)),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
);

describe('gateway under random frames', () => {
  it('answers, stays open and keeps serving others', async () => {
    const fuzzed: DeviceClient = await connectDevice(system.gateway.httpUrl, { user: 'fuzzed' });
    await fuzzed.next(isType('hello'));
    const sample = fc.sample(frames, { numRuns: 600, seed: 42 });
    for (const frame of sample) fuzzed.ws.send(frame);
    fuzzed.send({ type: 'activity', id: 'end-of-fuzz' });
    await fuzzed.next((f) => f['id'] === 'end-of-fuzz' && f.type === 'ack', 30_000);
    expect(fuzzed.ws.readyState).toBe(fuzzed.ws.OPEN);
    const codes = new Set(fuzzed.frames.filter((f) => f.type === 'error').map((f) => f['code']));
    expect(codes.has('invalid_json')).toBe(true);
    expect(codes.has('invalid_field')).toBe(true);
    expect(codes.has('unknown_type')).toBe(true);
    expect(codes.has('invalid_frame')).toBe(true);

    const other = await connectDevice(system.gateway.httpUrl, { user: 'bystander' });
    await other.next(isType('hello'));
    other.send({ type: 'watch', id: 1, users: ['fuzzed'] });
    await other.next(isType('presence', 'fuzzed'));
    expect(await other.next((f) => f['id'] === 1)).toEqual({ type: 'ack', id: 1 });
    expect(await fetch(`${system.gateway.httpUrl}/readyz`).then((r) => r.status)).toBe(200);
    other.close();
    fuzzed.close();
  }, 60_000);
});
