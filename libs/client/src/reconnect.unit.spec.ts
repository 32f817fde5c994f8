import { describe, expect, it } from 'vitest';
import type { CloseInfo } from './connection.js';
import { openClient, quietly, settle, startClient } from './testing-fixtures/client-harness.js';

const reconnect = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 1 };

describe('reconnect with backoff', () => {
  it('waits the backoff delay before the next socket, growing while attempts fail', async () => {
    // random 0: the delay is the ceiling, 100, 200, 400, 800, 1000, 1000.
    const { sockets, socket, clock, eventsOf } = await openClient({ reconnect, random: () => 0 });
    socket().serverClose(1006);
    for (const delay of [100, 200, 400, 800, 1_000, 1_000]) {
      const count = sockets.length;
      clock.advance(delay - 1);
      await settle();
      expect(sockets).toHaveLength(count);
      clock.advance(1);
      await settle();
      expect(sockets).toHaveLength(count + 1);
      socket().serverClose(1006);
    }
    expect(eventsOf<CloseInfo>('close').map((c) => c.delayMs)).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
  });

  it('starts again from initialMs after a session was open', async () => {
    const { sockets, socket, clock, eventsOf } = await openClient({ reconnect, random: () => 0 });
    socket().serverClose(1006);
    clock.advance(100);
    await settle();
    socket().serverClose(1006);
    clock.advance(200);
    await settle();
    socket().greet();
    socket().serverClose(1001);
    expect(eventsOf<CloseInfo>('close').map((c) => c.delayMs)).toEqual([100, 200, 100]);
    expect(sockets).toHaveLength(3);
  });

  it('draws the delay within the jittered window', async () => {
    const { socket, eventsOf } = await openClient({ reconnect, random: () => 0.75 });
    socket().serverClose(1006);
    expect(eventsOf<CloseInfo>('close')[0]).toEqual({
      code: 1006,
      reason: '',
      willReconnect: true,
      delayMs: 25,
    });
  });

  it('reports the states connecting, open, reconnecting, connecting, open', async () => {
    const { socket, clock, eventsOf } = await openClient({ reconnect });
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    socket().greet('alice', 'session-2');
    expect(eventsOf('state')).toEqual(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
    expect(eventsOf('open')).toEqual([
      { session: 'session-1', reconnected: false },
      { session: 'session-2', reconnected: true },
    ]);
  });

  it('gives up on an attempt that gets no hello within connectTimeoutMs', async () => {
    const { sockets, socket, clock } = await startClient({ reconnect, connectTimeoutMs: 5_000 });
    socket().open();
    clock.advance(5_000);
    expect(socket().closedWith?.code).toBe(1000);
    clock.advance(1_000);
    await settle();
    expect(sockets).toHaveLength(2);
  });
});

describe('watches are restored after a reconnect', () => {
  it('sends every watched user again, at most 1000 per frame, then rooms and meetings', async () => {
    const { client, socket, clock } = await openClient({ reconnect });
    const users = Array.from({ length: 2_500 }, (_, i) => `user-${i}`);
    quietly(client.watch(users));
    quietly(client.watchRoom('room-1'));
    quietly(client.watchMeeting('meeting-1'));
    quietly(client.unwatch(['user-7']));
    quietly(client.unwatchRoom('room-2'));
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    socket().greet();
    const frames = socket().sent;
    const restored = frames
      .filter((f) => f.type === 'watch')
      .flatMap((f) => f['users'] as string[]);
    expect(
      frames.filter((f) => f.type === 'watch').map((f) => (f['users'] as string[]).length),
    ).toEqual([1_000, 1_000, 499]);
    expect(new Set(restored)).toEqual(new Set(users.filter((u) => u !== 'user-7')));
    expect(frames.filter((f) => f.type !== 'watch').map(({ id: _id, ...f }) => f)).toEqual([
      { type: 'room.watch', room: 'room-1' },
      { type: 'meeting.watch', meeting: 'meeting-1' },
    ]);
  });

  it('does not restore a watch the gateway refused', async () => {
    const { client, socket, clock } = await openClient({ reconnect });
    const refused = client.watch(['bob']);
    const room = client.watchRoom('room-1');
    socket().refuse(socket().lastSent('watch'), 'watch_limit_exceeded');
    socket().refuse(socket().lastSent('room.watch'), 'unavailable');
    await expect(refused).rejects.toMatchObject({ code: 'watch_limit_exceeded' });
    await expect(room).rejects.toMatchObject({ code: 'unavailable' });
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    socket().greet();
    expect(socket().sent).toEqual([]);
  });

  it('keeps a watch whose answer was lost to the disconnect', async () => {
    const { client, socket, clock } = await openClient({ reconnect });
    const lost = client.watch(['bob']);
    socket().serverClose(1006);
    await expect(lost).rejects.toMatchObject({ code: 'disconnected' });
    clock.advance(1_000);
    await settle();
    socket().greet();
    expect(socket().lastSent('watch')['users']).toEqual(['bob']);
  });

  it('refuses an id the gateway would refuse before it enters the watch set', async () => {
    const { client, socket } = await openClient();
    await expect(client.watch(['bob', 'not valid'])).rejects.toMatchObject({
      code: 'invalid_user_id',
    });
    expect(socket().sent).toEqual([]);
  });

  it('reports a refused restore as an error event and forgets a refused room', async () => {
    const { client, socket, clock, eventsOf } = await openClient({ reconnect });
    quietly(client.watchRoom('room-1'));
    socket().ack(socket().lastSent('room.watch'));
    await settle();
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    socket().greet();
    socket().refuse(socket().lastSent('room.watch'), 'not_a_member');
    await settle();
    expect(eventsOf<{ code: string }>('error').map((e) => e.code)).toEqual(['not_a_member']);
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    socket().greet();
    expect(socket().sentOf('room.watch')).toEqual([]);
  });
});

describe('close codes', () => {
  it('4401 with a token function: a fresh token at once, then stop if it fails again', async () => {
    let issued = 0;
    const { sockets, socket, client, eventsOf } = await startClient({
      reconnect,
      token: () => `token-${++issued}`,
    });
    socket().open();
    socket().serverClose(4401, 'token expired');
    await settle();
    expect(sockets.map((s) => s.param('token'))).toEqual(['token-1', 'token-2']);
    socket().open();
    socket().serverClose(4401, 'invalid token');
    await settle();
    expect(sockets).toHaveLength(2);
    expect(client.state).toBe('closed');
    expect(eventsOf<CloseInfo>('close')).toEqual([
      { code: 4401, reason: 'token expired', willReconnect: true, delayMs: 0 },
      { code: 4401, reason: 'invalid token', willReconnect: false },
    ]);
  });

  it('4401 after a session was open: renews again (expiry mid-session)', async () => {
    let issued = 0;
    const { sockets, socket } = await startClient({ reconnect, token: () => `token-${++issued}` });
    socket().serverClose(4401, 'token expired');
    await settle();
    socket().greet();
    socket().serverClose(4401, 'token expired');
    await settle();
    expect(sockets.map((s) => s.param('token'))).toEqual(['token-1', 'token-2', 'token-3']);
  });

  it('4401 with a fixed token: stops, closed, no reconnect', async () => {
    const { sockets, socket, client, clock, eventsOf } = await startClient({ reconnect });
    socket().open();
    socket().serverClose(4401, 'invalid token');
    clock.advance(60_000);
    await settle();
    expect(sockets).toHaveLength(1);
    expect(client.state).toBe('closed');
    expect(eventsOf('close')).toEqual([
      { code: 4401, reason: 'invalid token', willReconnect: false },
    ]);
    expect(eventsOf('state')).toEqual(['connecting', 'closed']);
  });

  it('4400: stops, and pending requests are rejected as closed', async () => {
    const { sockets, socket, client, clock } = await startClient({ reconnect });
    const queued = client.activity();
    socket().open();
    socket().serverClose(4400, 'platform must be desktop, web or mobile');
    await expect(queued).rejects.toMatchObject({ code: 'closed' });
    clock.advance(60_000);
    await settle();
    expect(sockets).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it.each([4429, 4408, 1013])('%i: reconnects with backoff', async (code) => {
    const { sockets, socket, clock, eventsOf } = await openClient({ reconnect, random: () => 0 });
    socket().serverClose(code);
    expect(eventsOf<CloseInfo>('close')[0]).toMatchObject({
      code,
      willReconnect: true,
      delayMs: 100,
    });
    clock.advance(100);
    await settle();
    expect(sockets).toHaveLength(2);
  });

  it('a failing token function counts as a failed attempt and reports an error', async () => {
    let calls = 0;
    const { sockets, clock, eventsOf } = await startClient({
      reconnect,
      random: () => 0,
      token: () => {
        calls += 1;
        if (calls === 1) throw new Error('identity provider down');
        return 'token-ok';
      },
    });
    expect(sockets).toHaveLength(0);
    expect(eventsOf<{ code: string }>('error').map((e) => e.code)).toEqual(['token_unavailable']);
    clock.advance(100);
    await settle();
    expect(sockets.map((s) => s.param('token'))).toEqual(['token-ok']);
  });
});

describe('a reconnect frame (gateway drain)', () => {
  it('reconnects after after_ms plus jitter, without goodbye', async () => {
    const { sockets, socket, clock, eventsOf } = await openClient({ reconnect, random: () => 0.5 });
    const first = socket();
    first.receive({ type: 'reconnect', after_ms: 2_000, reason: 'gateway shutting down' });
    expect(first.sentOf('goodbye')).toEqual([]);
    expect(first.closedWith).toEqual({ code: 1000, reason: 'reconnect' });
    expect(eventsOf('reconnect')).toEqual([
      { type: 'reconnect', after_ms: 2_000, reason: 'gateway shutting down' },
    ]);
    expect(eventsOf<CloseInfo>('close')[0]).toMatchObject({ willReconnect: true, delayMs: 2_050 });
    // The gateway's own close after the frame changes nothing.
    first.serverClose(1012, 'gateway shutting down');
    clock.advance(2_049);
    await settle();
    expect(sockets).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(sockets).toHaveLength(2);
  });
});
