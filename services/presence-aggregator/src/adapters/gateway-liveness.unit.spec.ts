import { describe, expect, it } from 'vitest';
import { createGatewayLiveness } from './gateway-liveness.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('gateway liveness', () => {
  it('a gateway is lost once its heart-beat is older than the timeout (the boundary is lost)', () => {
    const clock = fakeClock();
    const liveness = createGatewayLiveness({ timeoutMs: 10_000, clock: clock.now });
    liveness.heartbeat('gw-1', 5);
    clock.advance(9_999);
    expect(liveness.lost(['gw-1'])).toEqual([]);
    clock.advance(1);
    expect(liveness.lost(['gw-1'])).toEqual(['gw-1']);
  });

  it('a heart-beat keeps a gateway alive', () => {
    const clock = fakeClock();
    const liveness = createGatewayLiveness({ timeoutMs: 10_000, clock: clock.now });
    liveness.heartbeat('gw-1', 5);
    clock.advance(8_000);
    liveness.heartbeat('gw-1', 5);
    clock.advance(8_000);
    expect(liveness.lost(['gw-1'])).toEqual([]);
  });

  it('a gateway never heard from is lost only after watching for the timeout', () => {
    const clock = fakeClock();
    const liveness = createGatewayLiveness({ timeoutMs: 10_000, clock: clock.now });
    expect(liveness.lost(['gw-old'])).toEqual([]);
    clock.advance(10_000);
    expect(liveness.lost(['gw-old'])).toEqual(['gw-old']);
  });

  it('a deleted heart-beat (clean shutdown) is lost at once after the start-up window', () => {
    const clock = fakeClock();
    const liveness = createGatewayLiveness({ timeoutMs: 10_000, clock: clock.now });
    clock.advance(10_000);
    liveness.heartbeat('gw-1', 1);
    liveness.gone('gw-1');
    expect(liveness.lost(['gw-1'])).toEqual(['gw-1']);
  });

  it('counts connections of live gateways only', () => {
    const clock = fakeClock();
    const liveness = createGatewayLiveness({ timeoutMs: 10_000, clock: clock.now });
    liveness.heartbeat('gw-1', 150);
    clock.advance(6_000);
    liveness.heartbeat('gw-2', 100);
    expect(liveness.connections()).toBe(250);
    clock.advance(4_000);
    expect(liveness.connections()).toBe(100);
  });
});
