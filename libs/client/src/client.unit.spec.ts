import { describe, expect, it } from 'vitest';
import { createPresenceClient } from './client.js';
import { isPresenceError, type PresenceError } from './errors.js';
import { openClient, quietly, settle, startClient } from './testing-fixtures/client-harness.js';
import { fakeWebSocket } from './testing-fixtures/fake-socket.js';

/** The rejection of a promise (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<PresenceError> {
  const error = await promise.then(
    () => new Error('resolved, expected a rejection'),
    (error: unknown) => error,
  );
  if (!isPresenceError(error)) throw error;
  return error;
}

describe('connecting', () => {
  it('opens <url>/v1/ws with the token, device and platform, and is open at hello', async () => {
    const { client, socket, eventsOf } = await startClient({ token: 'tok/en' });
    expect(socket().url).toBe(
      'wss://presence.example.com/v1/ws?token=tok%2Fen&device_id=alice-laptop&platform=desktop',
    );
    expect(client.state).toBe('connecting');
    socket().open();
    expect(client.state).toBe('connecting');
    socket().greet('alice', 's-1');
    expect(client.state).toBe('open');
    expect(client.hello?.user).toBe('alice');
    expect(eventsOf('state')).toEqual(['connecting', 'open']);
    expect(eventsOf('open')).toEqual([{ session: 's-1', reconnected: false }]);
    expect(client.presenceOf('alice')?.version).toBe(1);
  });

  it('asks a token function for the token', async () => {
    const { socket } = await startClient({ token: async () => 'from-function' });
    expect(socket().param('token')).toBe('from-function');
  });

  it('refuses options the gateway would refuse on every attempt, naming them', () => {
    const { WebSocket } = fakeWebSocket();
    const base = { url: 'ws://gw', token: 't', deviceId: 'd', platform: 'web', WebSocket } as const;
    expect(() => createPresenceClient({ ...base, deviceId: 'bad id' })).toThrow(/deviceId must be/);
    expect(() => createPresenceClient({ ...base, platform: 'tv' as 'web' })).toThrow(
      /platform must be one of desktop, web, mobile \(got "tv"\)/,
    );
    expect(() => createPresenceClient({ ...base, requestTimeoutMs: 0 })).toThrow(
      /requestTimeoutMs must be above 0/,
    );
  });
});

describe('requests', () => {
  it('send a frame with a fresh id and resolve on its ack', async () => {
    const { client, socket } = await openClient();
    let done = false;
    const busy = client.setStatus('busy', 'Focus').then(() => (done = true));
    const text = client.setStatusText('Back at 2', 3600);
    const [first, second] = socket().sent;
    expect(first).toEqual({
      type: 'status.set',
      presence: 'busy',
      text: 'Focus',
      id: first!['id'],
    });
    expect(second).toMatchObject({ type: 'status.text', text: 'Back at 2', clear_after_s: 3600 });
    expect(first!['id']).not.toEqual(second!['id']);
    socket().ack(second!);
    await text;
    await settle();
    expect(done).toBe(false);
    socket().ack(first!);
    await busy;
    expect(done).toBe(true);
  });

  it('leave optional fields out rather than send them empty', async () => {
    const { client, socket } = await openClient();
    quietly(client.setStatus('away'));
    quietly(client.joinMeeting('m-1'));
    quietly(client.setPreferences({ share_availability: 'nobody' }));
    expect(socket().sent.map(({ id: _id, ...frame }) => frame)).toEqual([
      { type: 'status.set', presence: 'away' },
      { type: 'meeting.join', meeting: 'm-1' },
      { type: 'preferences.set', share_availability: 'nobody' },
    ]);
  });

  it('build every command frame of the contract', async () => {
    const { client, socket } = await openClient();
    const calls = [
      client.setCustomStatus('cs-lunch'),
      client.activity(),
      client.deviceState('locked'),
      client.openRoom('r1'),
      client.closeRoom('r1'),
      client.hideRoom('r1'),
      client.unwatchRoom('r1'),
      client.postMessage('r1', 'hi @bob'),
      client.joinMeeting('m1', 'voip'),
      client.leaveMeeting('m1'),
      client.declineMeeting('m1'),
      client.lateForMeeting('m1'),
      client.updateMeeting('m1', { muted: true, screen_share: false }),
      client.unwatchMeeting('m1'),
      client.refreshToken('token-2'),
    ];
    await settle();
    expect(socket().sent.map(({ id: _id, ...frame }) => frame)).toEqual([
      { type: 'status.custom', custom_status_id: 'cs-lunch' },
      { type: 'activity' },
      { type: 'device', state: 'locked' },
      { type: 'room.open', room: 'r1' },
      { type: 'room.close', room: 'r1' },
      { type: 'room.hide', room: 'r1' },
      { type: 'room.unwatch', room: 'r1' },
      { type: 'message.post', room: 'r1', content: 'hi @bob' },
      { type: 'meeting.join', meeting: 'm1', audio: 'voip' },
      { type: 'meeting.leave', meeting: 'm1' },
      { type: 'meeting.decline', meeting: 'm1' },
      { type: 'meeting.late', meeting: 'm1' },
      { type: 'meeting.update', meeting: 'm1', muted: true, screen_share: false },
      { type: 'meeting.unwatch', meeting: 'm1' },
      { type: 'auth.refresh', token: 'token-2' },
    ]);
    for (const frame of socket().sent) socket().ack(frame);
    await Promise.all(calls);
  });

  it('reject with the code and message of an error frame', async () => {
    const { client, socket } = await openClient();
    const set = client.setStatus('invisible');
    socket().refuse(socket().lastSent('status.set'), 'invisible_not_allowed', 'no invisible');
    const error = await rejection(set);
    expect(error).toBeInstanceOf(Error);
    expect([error.code, error.message, error.name]).toEqual([
      'invisible_not_allowed',
      'no invisible',
      'PresenceError',
    ]);
  });

  it('reject with timeout when no answer comes, and ignore a late answer', async () => {
    const { client, socket, clock, eventsOf } = await openClient({ requestTimeoutMs: 2_000 });
    const set = client.setStatus('busy');
    clock.advance(1_999);
    await settle();
    clock.advance(1);
    const error = await rejection(set);
    expect(error.code).toBe('timeout');
    socket().refuse(socket().lastSent('status.set'), 'unavailable');
    expect(eventsOf('error')).toEqual([]);
  });

  it('reject with disconnected when the socket closes first', async () => {
    const { client, socket } = await openClient();
    const set = client.setStatus('busy');
    socket().serverClose(1006);
    expect((await rejection(set)).code).toBe('disconnected');
  });

  it('wait for the next session when made while disconnected', async () => {
    const { client, socket, sockets, clock } = await openClient();
    socket().serverClose(1006);
    const set = client.setStatus('away');
    clock.advance(500);
    await settle();
    expect(sockets).toHaveLength(2);
    socket().open();
    expect(socket().sent).toEqual([]);
    socket().greet();
    socket().ack(socket().lastSent('status.set'));
    await set;
  });

  it('turn an error frame without an id into an error event', async () => {
    const { socket, eventsOf } = await openClient();
    socket().receive({ type: 'error', code: 'invalid_json', message: 'bad' });
    expect(eventsOf<PresenceError>('error').map((e) => e.code)).toEqual(['invalid_json']);
  });

  it('pass over frames that are not JSON objects with a type, and unknown types', async () => {
    const { socket, events } = await openClient();
    const before = events.length;
    socket().receive('not json');
    socket().receive('[1,2]');
    socket().receive({ type: 'room.created.someday', room: 'r' });
    expect(events.length).toBe(before);
  });
});

describe('close()', () => {
  it('says goodbye, waits for its ack, then closes and never reconnects', async () => {
    const { client, socket, sockets, clock, eventsOf } = await openClient();
    const pending = client.setStatus('busy');
    const closed = client.close();
    const goodbye = socket().lastSent('goodbye');
    await settle();
    expect(socket().closedWith).toBeUndefined();
    socket().ack(goodbye);
    await closed;
    expect(socket().closedWith).toEqual({ code: 1000, reason: 'goodbye' });
    expect(client.state).toBe('closed');
    expect(eventsOf('close')).toEqual([{ code: 1000, reason: 'goodbye', willReconnect: false }]);
    // Sent before goodbye and never answered: it may or may not have taken effect.
    expect((await rejection(pending)).code).toBe('disconnected');
    expect((await rejection(client.setStatus('away'))).code).toBe('closed');
    clock.advance(3_600_000);
    await settle();
    expect(sockets).toHaveLength(1);
  });

  it('closes after the request timeout when goodbye is never answered', async () => {
    const { client, socket, clock } = await openClient({ requestTimeoutMs: 1_000 });
    const closed = client.close();
    clock.advance(1_000);
    await closed;
    expect(socket().closedWith?.code).toBe(1000);
  });

  it('stops a client that is still reconnecting without sending anything', async () => {
    const { client, socket, sockets, clock } = await openClient();
    socket().serverClose(1006);
    await client.close();
    clock.advance(3_600_000);
    await settle();
    expect(sockets).toHaveLength(1);
    expect(socket().sentOf('goodbye')).toEqual([]);
    expect(client.state).toBe('closed');
  });
});
