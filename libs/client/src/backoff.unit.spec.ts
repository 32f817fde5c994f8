import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RECONNECT, drainDelay, reconnectPolicy } from './backoff.js';

const policy = reconnectPolicy({ initialMs: 100, maxMs: 5_000, factor: 2, jitter: 1 });

describe('backoffDelay', () => {
  it('doubles the ceiling per failure up to maxMs (random 0 gives the ceiling)', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 30].map((n) => backoffDelay(n, policy, 0));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('stays within [ceiling * (1 - jitter), ceiling] for any random and jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failures, jitter, random) => {
          const withJitter = { ...policy, jitter };
          const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** failures);
          const delay = backoffDelay(failures, withJitter, random);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - jitter)));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('spreads the whole window with full jitter', () => {
    expect(backoffDelay(3, policy, 0.999)).toBe(1);
    expect(backoffDelay(3, policy, 0.5)).toBe(400);
  });

  it('has no spread without jitter', () => {
    expect(backoffDelay(2, { ...policy, jitter: 0 }, 0.9)).toBe(400);
  });
});

describe('drainDelay', () => {
  it('is after_ms plus up to initialMs of jitter', () => {
    expect(drainDelay(2_000, policy, 0)).toBe(2_000);
    expect(drainDelay(2_000, policy, 0.5)).toBe(2_050);
    expect(drainDelay(0, policy, 0.999)).toBe(100);
    expect(drainDelay(2_000, { ...policy, jitter: 0 }, 0.999)).toBe(2_000);
  });
});

describe('reconnectPolicy', () => {
  it('fills in the defaults', () => {
    expect(reconnectPolicy()).toEqual(DEFAULT_RECONNECT);
    expect(reconnectPolicy({ maxMs: 60_000 })).toEqual({ ...DEFAULT_RECONNECT, maxMs: 60_000 });
  });

  it.each([
    [{ initialMs: 0 }, /reconnect.initialMs must be above 0/],
    [{ initialMs: 1_000, maxMs: 500 }, /reconnect.maxMs must be at least initialMs/],
    [{ factor: 0.5 }, /reconnect.factor must be at least 1/],
    [{ jitter: 1.5 }, /reconnect.jitter must be from 0 to 1 \(got 1.5\)/],
    [{ jitter: Number.NaN }, /reconnect.jitter/],
  ])('refuses %o naming the field', (given, message) => {
    expect(() => reconnectPolicy(given)).toThrow(message);
  });
});
