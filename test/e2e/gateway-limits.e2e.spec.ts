import {
  DeviceCommand,
  DeviceCommandResult,
  DisconnectReason,
  Display,
  Presence,
  PresenceChanged,
  subjects,
} from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  connectDevice,
  deviceToken,
  isType,
  type DeviceClient,
  type Frame,
} from '../support/device-client.js';
import { startGatewaySystem, type GatewaySystem } from '../support/gateway-system.js';
import { eventually } from '../support/system.js';

/**
 * The gateway's limits and liveness (CONTRACT.md, issue 4): frame rate (rate_limited, then 4429),
 * slow consumers (4408), token expiry during the session (4401) and auth.refresh, admission (503
 * at capacity, 429 over the connect rate, both with Retry-After), pings that cut dead peers, and
 * the drain on SIGTERM (reconnect, 1012, sessions ended as a drain). After each, it keeps serving.
 */

const answer = (client: DeviceClient, id: string | number): Promise<Frame> =>
  client.next((f) => (f.type === 'ack' || f.type === 'error') && f['id'] === id);

async function greeted(system: GatewaySystem, user: string, device = `${user}-laptop`) {
  const client = await connectDevice(system.gateway.httpUrl, { user, device });
  await client.next(isType('hello'));
  return client;
}

/** Tries an upgrade; the HTTP status and Retry-After of a refusal, or 101 when it opened. */
async function upgrade(
  system: GatewaySystem,
  user: string,
): Promise<{ status: number; retryAfter?: string; ws?: WebSocket }> {
  const token = await deviceToken(user);
  const url = `${system.gateway.httpUrl.replace('http', 'ws')}/v1/ws?token=${token}&device_id=${user}-d&platform=web`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({
        status: res.statusCode ?? 0,
        ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}),
      });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (ws.readyState !== ws.CLOSED) reject(error);
    });
  });
}

const disconnects = async (system: GatewaySystem, user: string) =>
  (await system.deviceEvents(user)).flatMap(({ event }) =>
    event.event?.$case === 'deviceDisconnected' ? [event.event.value.reason] : [],
  );

/** A client that stops reading its socket (a frozen tab, a congested link). */
const stopReading = (client: DeviceClient) =>
  (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
const resumeReading = (client: DeviceClient) =>
  (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();

describe('per-connection limits', () => {
  let system: GatewaySystem;
  beforeAll(async () => {
    system = await startGatewaySystem({
      GATEWAY_FRAMES_PER_S: '20',
      GATEWAY_FRAME_BURST: '10',
      GATEWAY_MAX_SEND_BUFFER_BYTES: '16384',
      GATEWAY_PING_INTERVAL_MS: '0',
    });
  }, 60_000);
  afterAll(() => system?.stop());

  it('answers a flood with rate_limited (with the frame id), then closes it with 4429', async () => {
    const flooder = await greeted(system, 'flooder');
    for (let i = 0; i < 40; i++) flooder.send({ type: 'activity', id: i });
    const { code, reason } = await flooder.closed;
    expect(code).toBe(4429);
    expect(reason).toBe('rate limit exceeded');
    const answers = flooder.frames.filter((f) => f.type === 'ack' || f.type === 'error');
    // The burst is accepted, the next `burst` refused, then the socket is closed.
    expect(answers.filter((f) => f.type === 'ack').map((f) => f['id'])).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const refused = answers.filter((f) => f.type === 'error');
    expect(refused.map((f) => f['id'])).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(refused.every((f) => f['code'] === 'rate_limited')).toBe(true);
    expect(refused[0]!['message']).toMatch(/more than 20 frames per second/);
    // Closed by the gateway: the device may come back within the grace (abnormal, not goodbye).
    await eventually(async () =>
      (await disconnects(system, 'flooder')).includes(DisconnectReason.DISCONNECT_REASON_ABNORMAL),
    );
    const other = await greeted(system, 'calm');
    other.send({ type: 'activity', id: 'a' });
    expect(await answer(other, 'a')).toEqual({ type: 'ack', id: 'a' });
    other.close();
  });

  it('lets a client that keeps to the rate send for as long as it likes', async () => {
    const steady = await greeted(system, 'steady');
    for (let i = 0; i < 30; i++) {
      steady.send({ type: 'activity', id: i });
      expect(await answer(steady, i)).toEqual({ type: 'ack', id: i });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    steady.close();
  });

  it('closes a client that stops reading with 4408 once its send buffer is full', async () => {
    const slow = await greeted(system, 'slow');
    slow.send({ type: 'watch', id: 'w', users: ['chatty'] });
    expect(await answer(slow, 'w')).toEqual({ type: 'ack', id: 'w' });
    stopReading(slow);
    // Changes straight on the core subject the gateway follows: megabytes in about a second.
    const text = 'x'.repeat(120);
    for (let version = 1; version <= 60_000; version++) {
      const data = PresenceChanged.encode({
        view: {
          userId: 'chatty',
          presence: Presence.PRESENCE_BUSY,
          display: Display.DISPLAY_BUSY,
          online: true,
          statusText: text,
          devices: [],
          version: String(version),
        },
        changedAt: new Date().toISOString(),
      }).finish();
      system.nc.publish(subjects.presenceChanged('chatty'), data);
      if (version % 5000 === 0) await system.nc.flush();
    }
    await system.nc.flush();
    resumeReading(slow);
    const { code, reason } = await slow.closed;
    expect(code).toBe(4408);
    expect(reason).toMatch(/^slow consumer: over 16384 bytes unsent/);
    const other = await greeted(system, 'reader');
    other.send({ type: 'activity', id: 1 });
    expect(await answer(other, 1)).toEqual({ type: 'ack', id: 1 });
    other.close();
  });

  it('records a goodbye sent just before the socket closed as a goodbye (a tab on unload)', async () => {
    const leaving = await greeted(system, 'unload');
    // The goodbye waits behind activities being appended while the close arrives.
    for (let i = 0; i < 5; i++) leaving.send({ type: 'activity' });
    leaving.send({ type: 'goodbye' });
    leaving.close();
    await leaving.closed;
    await eventually(async () => (await disconnects(system, 'unload')).length > 0);
    expect(await disconnects(system, 'unload')).toEqual([
      DisconnectReason.DISCONNECT_REASON_GOODBYE,
    ]);
  });

  it('closes a session with 4401 when its token expires', async () => {
    const token = await deviceToken('brief', { expiresIn: '2s' });
    const client = await connectDevice(system.gateway.httpUrl, { user: 'brief', token });
    await client.next(isType('hello'));
    expect(await client.closed).toEqual({ code: 4401, reason: 'token expired' });
  });

  it('keeps a session open past the first expiry after auth.refresh', async () => {
    const token = await deviceToken('renewed', { expiresIn: '2s' });
    const client = await connectDevice(system.gateway.httpUrl, { user: 'renewed', token });
    await client.next(isType('hello'));
    client.send({ type: 'auth.refresh', id: 'r', token: await deviceToken('renewed') });
    expect(await answer(client, 'r')).toEqual({ type: 'ack', id: 'r' });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    client.send({ type: 'activity', id: 'after' });
    expect(await answer(client, 'after')).toEqual({ type: 'ack', id: 'after' });
    client.close();
  });

  it('refuses auth.refresh with a bad token or another user`s, and changes nothing', async () => {
    const client = await greeted(system, 'holder');
    client.send({ type: 'auth.refresh', id: 1, token: await deviceToken('mallory') });
    expect(await answer(client, 1)).toMatchObject({
      type: 'error',
      code: 'invalid_token',
      message: 'the token is for another user; this session is holder',
    });
    client.send({
      type: 'auth.refresh',
      id: 2,
      token: await deviceToken('holder', { secret: 'wrong' }),
    });
    expect(await answer(client, 2)).toMatchObject({
      type: 'error',
      code: 'invalid_token',
      message: 'invalid token',
    });
    client.send({ type: 'auth.refresh', id: 3 });
    expect(await answer(client, 3)).toMatchObject({ type: 'error', code: 'invalid_field' });
    client.send({ type: 'activity', id: 4 });
    expect(await answer(client, 4)).toEqual({ type: 'ack', id: 4 });
    client.close();
  });

  it('validates room and meeting frames, and answers unavailable while no service takes them', async () => {
    const client = await greeted(system, 'roomer');
    client.send({ type: 'room.open', id: 1, room: 'general' });
    expect(await answer(client, 1)).toMatchObject({
      type: 'error',
      code: 'unavailable',
      message: 'room.open is not available yet: no room service answered; retry later',
    });
    client.send({ type: 'room.open', id: 2 });
    expect(await answer(client, 2)).toMatchObject({
      type: 'error',
      code: 'invalid_field',
      message: 'field "room" must be a room id ([A-Za-z0-9_-]{1,128})',
    });
    client.send({ type: 'meeting.update', id: 3, meeting: 'm1', muted: 'yes' });
    expect(await answer(client, 3)).toMatchObject({
      type: 'error',
      code: 'invalid_field',
      message: 'field "muted" must be a boolean',
    });
    client.close();
  });
});

describe('room, message and meeting frames', () => {
  let system: GatewaySystem;
  beforeAll(async () => {
    system = await startGatewaySystem();
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('are relayed to the service that owns them, with the session, and answered as it says', async () => {
    const received: DeviceCommand[] = [];
    const service = system.nc.subscribe(subjects.deviceCommand('meeting'), {
      queue: 'meeting-roster',
      callback: (_error, message) => {
        const command = DeviceCommand.decode(message.data);
        received.push(command);
        const refused = command.frameType === 'meeting.leave';
        message.respond(
          DeviceCommandResult.encode({
            errorCode: refused ? 'not_found' : '',
            errorMessage: refused ? 'meeting m9 does not exist' : '',
          }).finish(),
        );
      },
    });
    const client = await greeted(system, 'attendee');
    client.send({ type: 'meeting.join', id: 1, meeting: 'm1', audio: 'voip' });
    expect(await answer(client, 1)).toEqual({ type: 'ack', id: 1 });
    client.send({ type: 'meeting.update', id: 4, meeting: 'm1', muted: true, video: false });
    expect(await answer(client, 4)).toEqual({ type: 'ack', id: 4 });
    client.send({ type: 'meeting.leave', id: 2, meeting: 'm9' });
    expect(await answer(client, 2)).toEqual({
      type: 'error',
      id: 2,
      code: 'not_found',
      message: 'meeting m9 does not exist',
    });
    // Another kind has no service here: unavailable, and nothing reached the meeting service.
    client.send({ type: 'message.post', id: 3, room: 'r1', content: 'hi' });
    expect(await answer(client, 3)).toMatchObject({ type: 'error', code: 'unavailable' });
    service.unsubscribe();
    expect(
      received.map(({ frameType, frameJson, userId, deviceId }) => ({
        frameType,
        frame: JSON.parse(frameJson) as unknown,
        userId,
        deviceId,
      })),
    ).toEqual([
      {
        frameType: 'meeting.join',
        frame: { meeting: 'm1', audio: 'voip' },
        userId: 'attendee',
        deviceId: 'attendee-laptop',
      },
      {
        frameType: 'meeting.update',
        frame: { meeting: 'm1', muted: true, video: false },
        userId: 'attendee',
        deviceId: 'attendee-laptop',
      },
      {
        frameType: 'meeting.leave',
        frame: { meeting: 'm9' },
        userId: 'attendee',
        deviceId: 'attendee-laptop',
      },
    ]);
    expect(received[0]!.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    client.close();
  });
});

describe('admission', () => {
  let system: GatewaySystem;
  beforeAll(async () => {
    system = await startGatewaySystem({
      GATEWAY_MAX_CONNECTIONS: '3',
      GATEWAY_PING_INTERVAL_MS: '0',
    });
  }, 60_000);
  afterAll(() => system?.stop());

  it('answers 503 with Retry-After at capacity, and admits again once a session ends', async () => {
    const held = [
      await greeted(system, 'cap1'),
      await greeted(system, 'cap2'),
      await greeted(system, 'cap3'),
    ];
    expect(await upgrade(system, 'cap4')).toEqual({ status: 503, retryAfter: '5' });
    const metrics = await fetch(`${system.gateway.httpUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /presence_gateway_upgrades_refused_total\{reason="capacity"[^}]*\} 1\n/,
    );
    expect(await fetch(`${system.gateway.httpUrl}/healthz`).then((r) => r.status)).toBe(200);
    held[0]!.close();
    await held[0]!.closed;
    await eventually(async () => {
      const attempt = await upgrade(system, 'cap4');
      attempt.ws?.close();
      return attempt.status === 101;
    });
    for (const client of held) client.close();
  });
});

describe('connect rate, pings and drain', () => {
  let system: GatewaySystem;
  beforeAll(async () => {
    system = await startGatewaySystem({
      GATEWAY_MAX_CONNECTS_PER_S: '2',
      GATEWAY_PING_INTERVAL_MS: '300',
      GATEWAY_DRAIN_SPREAD_MS: '1000',
    });
  }, 60_000);
  afterAll(() => system?.stop());

  it('answers 429 with Retry-After to a connect storm above the rate', async () => {
    // The readiness probes and nothing else came before: the bucket is full (2).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const attempts = await Promise.all(
      ['s1', 's2', 's3', 's4'].map((user) => upgrade(system, user)),
    );
    const statuses = attempts.map((a) => a.status).sort();
    expect(statuses).toEqual([101, 101, 429, 429]);
    expect(attempts.find((a) => a.status === 429)).toMatchObject({ retryAfter: '1' });
    for (const attempt of attempts) attempt.ws?.close();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await upgrade(system, 's5');
    expect(later.status).toBe(101);
    later.ws?.close();
  });

  it('cuts a peer that stops answering pings and records an abnormal end', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const frozen = await greeted(system, 'frozen');
    stopReading(frozen);
    await eventually(async () =>
      (await disconnects(system, 'frozen')).includes(DisconnectReason.DISCONNECT_REASON_ABNORMAL),
    );
    // A client that reads answers the pings and stays.
    const alive = await greeted(system, 'alive');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    alive.send({ type: 'activity', id: 1 });
    expect(await answer(alive, 1)).toEqual({ type: 'ack', id: 1 });
    expect(await disconnects(system, 'alive')).toEqual([]);
  });

  it('on SIGTERM tells every device to reconnect, closes with 1012 and ends sessions as a drain', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const device = await greeted(system, 'mover');
    expect(await system.gateway.stop()).toBe(0);
    const reconnect = await device.next(isType('reconnect'));
    expect(reconnect['reason']).toBe('gateway shutting down');
    expect(reconnect['after_ms']).toBeGreaterThanOrEqual(0);
    expect(reconnect['after_ms']).toBeLessThanOrEqual(1000);
    expect((await device.closed).code).toBe(1012);
    expect(await disconnects(system, 'mover')).toEqual([
      DisconnectReason.DISCONNECT_REASON_GATEWAY_DRAIN,
    ]);
  });
});
