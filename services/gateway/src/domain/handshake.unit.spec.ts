import { describe, expect, it } from 'vitest';
import { checkDevice, readHandshake } from './handshake.js';

const url = (query: string) => new URL(`/v1/ws?${query}`, 'http://gateway');

describe('handshake', () => {
  it('reads the token from the query, or from an Authorization bearer header', () => {
    expect(readHandshake(url('token=abc&device_id=d1&platform=web'), undefined)).toEqual({
      token: 'abc',
      deviceId: 'd1',
      platform: 'web',
    });
    expect(readHandshake(url('device_id=d1'), 'Bearer xyz').token).toBe('xyz');
    expect(readHandshake(url('device_id=d1'), 'Basic xyz').token).toBeUndefined();
  });

  it('accepts a valid device id and platform', () => {
    expect(
      checkDevice(readHandshake(url('device_id=laptop-1&platform=desktop'), undefined)),
    ).toEqual({
      ok: true,
      deviceId: 'laptop-1',
      platform: 'desktop',
    });
  });

  it.each([
    ['platform=web', /device_id/],
    ['device_id=a.b&platform=web', /device_id/],
    [`device_id=${'x'.repeat(129)}&platform=web`, /device_id/],
    ['device_id=d1', /platform/],
    ['device_id=d1&platform=watch', /platform/],
  ])('refuses %s', (query, reason) => {
    const check = checkDevice(readHandshake(url(query), undefined));
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.reason).toMatch(reason);
      expect(Buffer.byteLength(check.reason)).toBeLessThanOrEqual(123);
    }
  });
});
