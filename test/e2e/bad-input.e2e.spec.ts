import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, deviceToken, isType, type DeviceClient } from '../support/device-client.js';
import { startPresenceSystem, type PresenceSystem } from '../support/system.js';

/** Every bad input gets the documented answer, and the gateway keeps serving. */
let system: PresenceSystem;
let device: DeviceClient;

beforeAll(async () => {
  system = await startPresenceSystem();
  device = await connectDevice(system.gateway.httpUrl, { user: 'carol' });
  await device.next(isType('hello'));
}, 60_000);

afterAll(async () => {
  device?.close();
  await system?.stop();
});

const refusedWith = async (options: Parameters<typeof connectDevice>[1]) => {
  const client = await connectDevice(system.gateway.httpUrl, options);
  const closed = await client.closed;
  return { ...closed, frames: client.frames };
};

describe('handshake', () => {
  it.each([
    [
      'a token signed with another secret',
      async () => deviceToken('mallory', { secret: 'not-the-secret' }),
      /invalid token/,
    ],
    [
      'an expired token',
      async () => deviceToken('dave', { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      /token expired/,
    ],
    ['a token whose sub is not a valid user id', async () => deviceToken('bad.user'), /sub/],
    ['garbage', async () => 'not-a-jwt', /invalid token/],
  ])('closes with 4401 before anything else for %s', async (_name, token, reason) => {
    const refused = await refusedWith({ user: 'x', token: await token() });
    expect(refused.code).toBe(4401);
    expect(refused.reason).toMatch(reason);
    expect(refused.frames).toEqual([]);
  });

  it('closes with 4401 when the token is missing', async () => {
    const refused = await refusedWith({ user: 'x', query: 'device_id=d1&platform=web' });
    expect(refused).toMatchObject({ code: 4401, reason: 'missing token', frames: [] });
  });

  it('accepts the token as an Authorization bearer header', async () => {
    const ws = new WebSocket(
      `${system.gateway.httpUrl.replace('http', 'ws')}/v1/ws?device_id=d1&platform=web`,
      {
        headers: { authorization: `Bearer ${await deviceToken('erin')}` },
      },
    );
    const hello = await new Promise<Record<string, unknown>>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(d.toString()))),
    );
    expect(hello).toMatchObject({ type: 'hello', user: 'erin', device: 'd1' });
    ws.close();
  });

  it.each([
    ['platform=watch&device_id=d1', /platform/],
    ['device_id=d1', /platform/],
    ['platform=web&device_id=bad.device', /device_id/],
    ['platform=web', /device_id/],
  ])('closes with 4400 for %s', async (query, reason) => {
    const refused = await refusedWith({
      user: 'x',
      query: `token=${await deviceToken('frank')}&${query}`,
    });
    expect(refused.code).toBe(4400);
    expect(refused.reason).toMatch(reason);
  });

  it('answers 404 to an upgrade on another path', async () => {
    const ws = new WebSocket(`${system.gateway.httpUrl.replace('http', 'ws')}/v2/ws`);
    const status = await new Promise<number | undefined>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.once('error', () => resolve(undefined));
    });
    expect(status).toBe(404);
  });
});

describe('frames', () => {
  const errorFor = (id: string) => device.next((f) => f.type === 'error' && f['id'] === id);

  it.each([
    ['an unknown type', { type: 'dance', id: 'e1' }, 'unknown_type'],
    ['a watch without users', { type: 'watch', id: 'e2' }, 'invalid_field'],
    [
      'a watch with a user id of invalid characters',
      { type: 'watch', id: 'e3', users: ['ok', 'no.dots'] },
      'invalid_user_id',
    ],
    [
      'a frame of a service not there yet',
      { type: 'room.open', id: 'e4', room: 'r1' },
      'unavailable',
    ],
    [
      'a device event with an unknown state',
      { type: 'device', id: 'e5', state: 'dancing' },
      'invalid_field',
    ],
  ])('answers %s with an error frame and keeps the socket open', async (_name, frame, code) => {
    device.send(frame);
    expect(await errorFor(frame.id)).toMatchObject({
      type: 'error',
      code,
      message: expect.any(String),
    });
  });

  it('answers malformed JSON with invalid_json', async () => {
    device.send('{"type": "watch", ');
    expect(await device.next(isType('error'))).toMatchObject({ code: 'invalid_json' });
  });

  it('answers a binary frame with invalid_frame', async () => {
    device.ws.send(Buffer.from([1, 2, 3]));
    expect(await device.next(isType('error'))).toMatchObject({ code: 'invalid_frame' });
  });

  it('answers a frame over the documented 16 KiB limit with frame_too_large', async () => {
    device.send({ type: 'watch', id: 'big', users: ['a'], padding: 'x'.repeat(17_000) });
    expect(await device.next(isType('error'))).toMatchObject({
      code: 'frame_too_large',
      message: expect.stringMatching(/16384 bytes/),
    });
  });

  it('still serves the connection and new ones after all of that', async () => {
    device.send({ type: 'watch', id: 'ok', users: ['grace'] });
    expect(await device.next(isType('presence', 'grace'))).toMatchObject({ presence: 'offline' });
    await device.next((f) => f.type === 'ack' && f['id'] === 'ok');
    const fresh = await connectDevice(system.gateway.httpUrl, { user: 'heidi' });
    expect(await fresh.next(isType('hello'))).toMatchObject({ user: 'heidi' });
    fresh.close();
  });

  it('cuts only the offending socket for a frame over the 1 MiB hard limit (1009)', async () => {
    const victim = await connectDevice(system.gateway.httpUrl, { user: 'ivan' });
    await victim.next(isType('hello'));
    victim.send({ type: 'watch', users: ['a'], padding: 'x'.repeat(1_100_000) });
    expect((await victim.closed).code).toBe(1009);
    device.send({ type: 'unwatch', id: 'still-here', users: ['grace'] });
    await device.next((f) => f.type === 'ack' && f['id'] === 'still-here');
  });
});
