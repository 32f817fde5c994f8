import { describe, expect, it } from 'vitest';
import { ACTIVITY_EVENTS, throttle } from './browser.js';
import { openClient, settle, startClient } from './testing-fixtures/client-harness.js';
import { FakeDocument, FakeTarget } from './testing-fixtures/fake-dom.js';

const reconnect = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 1 };

describe('throttle', () => {
  it('passes the first call, then one per window', () => {
    let now = 0;
    let runs = 0;
    const call = throttle(
      1_000,
      () => now,
      () => (runs += 1) > 0,
    );
    for (const t of [0, 10, 999, 1_000, 1_500, 1_999, 2_000]) {
      now = t;
      call();
    }
    expect(runs).toBe(3);
  });

  it('starts no window when the call could not run', () => {
    let now = 0;
    let ready = false;
    let runs = 0;
    const call = throttle(
      1_000,
      () => now,
      () => ready && (runs += 1) > 0,
    );
    call();
    ready = true;
    now = 1;
    call();
    expect(runs).toBe(1);
  });
});

describe('activity detection', () => {
  it('sends one activity per 30 s of input, the first at once', async () => {
    const target = new FakeTarget();
    const { socket, clock } = await openClient({ activity: { target } });
    target.dispatch('mousemove');
    expect(socket().sentOf('activity')).toHaveLength(1);
    for (const type of ACTIVITY_EVENTS) target.dispatch(type);
    clock.advance(29_999);
    target.dispatch('keydown');
    expect(socket().sentOf('activity')).toHaveLength(1);
    clock.advance(1);
    target.dispatch('scroll');
    expect(socket().sentOf('activity')).toHaveLength(2);
  });

  it('listens to every kind of input and honours throttleMs', async () => {
    const target = new FakeTarget();
    const { socket, clock } = await openClient({ activity: { target, throttleMs: 10 } });
    for (const type of ACTIVITY_EVENTS) {
      target.dispatch(type);
      clock.advance(10);
    }
    expect(socket().sentOf('activity')).toHaveLength(ACTIVITY_EVENTS.length);
  });

  it('sends nothing while no session is open, and not later either', async () => {
    const target = new FakeTarget();
    const { socket } = await startClient({ activity: { target } });
    target.dispatch('mousedown');
    socket().greet();
    expect(socket().sentOf('activity')).toEqual([]);
    target.dispatch('mousedown');
    expect(socket().sentOf('activity')).toHaveLength(1);
  });

  it('removes its listeners on close', async () => {
    const target = new FakeTarget();
    const { client } = await startClient({ activity: { target } });
    expect(target.listenerCount()).toBe(ACTIVITY_EVENTS.length);
    await client.close();
    expect(target.listenerCount()).toBe(0);
  });
});

describe('visibility', () => {
  it('sends background when the page is hidden and foreground when shown', async () => {
    const visibility = new FakeDocument();
    const { socket } = await openClient({ visibility });
    visibility.show('hidden');
    visibility.show('visible');
    expect(
      socket()
        .sentOf('device')
        .map((f) => f['state']),
    ).toEqual(['background', 'foreground']);
  });

  it('tells a new session that the page is hidden', async () => {
    const visibility = new FakeDocument();
    const { socket, clock } = await openClient({ visibility, reconnect });
    socket().serverClose(1006);
    visibility.show('hidden');
    clock.advance(1_000);
    await settle();
    socket().greet();
    expect(
      socket()
        .sentOf('device')
        .map((f) => f['state']),
    ).toEqual(['background']);
  });

  it('removes its listener when the client stops for good', async () => {
    const visibility = new FakeDocument();
    const { socket } = await startClient({ visibility });
    socket().serverClose(4400, 'bad device');
    expect(visibility.listenerCount()).toBe(0);
  });
});
