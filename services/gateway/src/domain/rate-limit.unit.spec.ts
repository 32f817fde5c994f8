import { describe, expect, it } from 'vitest';
import { FrameRateLimit, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 3);
    expect([0, 0, 0, 0].map(() => bucket.take(1000))).toEqual([true, true, true, false]);
    // 10 per second: one token every 100 ms.
    expect(bucket.take(1050)).toBe(false);
    expect(bucket.take(1100)).toBe(true);
    expect(bucket.take(1100)).toBe(false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const bucket = new TokenBucket(10, 2);
    bucket.take(0);
    const taken = [0, 0, 0].map(() => bucket.take(60_000));
    expect(taken).toEqual([true, true, false]);
  });

  it('says how long until the next token', () => {
    const bucket = new TokenBucket(4, 1);
    expect(bucket.waitMs(0)).toBe(0);
    bucket.take(0);
    expect(bucket.waitMs(0)).toBe(250);
    expect(bucket.waitMs(200)).toBe(50);
    expect(bucket.waitMs(250)).toBe(0);
  });

  it('ignores a clock that goes back', () => {
    const bucket = new TokenBucket(10, 1);
    bucket.take(1000);
    expect(bucket.take(500)).toBe(false);
    expect(bucket.take(1100)).toBe(true);
  });

  it('refuses a rate or burst that would never let anything through', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});

describe('FrameRateLimit', () => {
  it('accepts frames within the rate and refuses the flood with rate_limited', () => {
    const limit = new FrameRateLimit(10, 2);
    expect([0, 0, 0].map(() => limit.check(0))).toEqual(['accept', 'accept', 'rate_limited']);
  });

  it('closes a client that goes on after burst refusals, not one that slows down', () => {
    const limit = new FrameRateLimit(10, 2);
    limit.check(0);
    limit.check(0);
    expect([0, 0].map(() => limit.check(0))).toEqual(['rate_limited', 'rate_limited']);
    // It slowed down: a token came back, so the count of refusals starts again.
    expect(limit.check(100)).toBe('accept');
    expect([0, 0, 0].map(() => limit.check(100))).toEqual([
      'rate_limited',
      'rate_limited',
      'close',
    ]);
  });
});
