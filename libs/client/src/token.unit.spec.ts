import { describe, expect, it } from 'vitest';
import { refreshDelay, tokenExpiry } from './token.js';
import { openClient, settle } from './testing-fixtures/client-harness.js';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${base64url({ alg: 'HS256' })}.${base64url(claims)}.signature`;

const reconnect = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 1 };

describe('tokenExpiry', () => {
  it('reads exp of a JWT, in milliseconds', () => {
    expect(tokenExpiry(jwt({ sub: 'alice', exp: 1_750_000_600, name: 'Ålice ✓' }))).toBe(
      1_750_000_600_000,
    );
  });

  it.each(['opaque-token', 'a.!!!.c', jwt({ sub: 'alice' }), jwt({ exp: '1750000600' })])(
    'is undefined for %s',
    (token) => {
      expect(tokenExpiry(token)).toBeUndefined();
    },
  );
});

describe('refreshDelay', () => {
  it('is a minute before expiry, or halfway for a short-lived token', () => {
    expect(refreshDelay(10 * 60_000, 0)).toBe(9 * 60_000);
    expect(refreshDelay(90_000, 0)).toBe(45_000);
    expect(refreshDelay(1_000, 5_000)).toBe(0);
  });
});

describe('token refresh', () => {
  it('sends auth.refresh with a fresh token a minute before the token expires', async () => {
    const start = 1_750_000_000_000;
    let issued = 0;
    const token = () => jwt({ sub: 'alice', exp: start / 1000 + 600 + 600 * issued++ });
    const { socket, clock } = await openClient({ token });
    clock.advance(9 * 60_000 - 1);
    await settle();
    expect(socket().sentOf('auth.refresh')).toEqual([]);
    clock.advance(1);
    await settle();
    const refresh = socket().lastSent('auth.refresh');
    expect(tokenExpiry(refresh['token'] as string)).toBe(start + 1_200_000);
    socket().ack(refresh);
    await settle();
    // The next refresh is due a minute before the new token's expiry.
    clock.advance(10 * 60_000);
    await settle();
    expect(socket().sentOf('auth.refresh')).toHaveLength(2);
  });

  it('presents a token given to refreshToken on the next reconnect', async () => {
    const { client, socket, sockets, clock } = await openClient({ reconnect });
    const refreshed = client.refreshToken('token-2');
    socket().ack(socket().lastSent('auth.refresh'));
    await refreshed;
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    expect(sockets.map((s) => s.param('token'))).toEqual(['token-1', 'token-2']);
  });

  it('keeps the old token when the gateway refuses the new one', async () => {
    const { client, socket, sockets, clock } = await openClient({ reconnect });
    const refreshed = client.refreshToken('someone-else');
    socket().refuse(socket().lastSent('auth.refresh'), 'invalid_token');
    await expect(refreshed).rejects.toMatchObject({ code: 'invalid_token' });
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    expect(sockets.map((s) => s.param('token'))).toEqual(['token-1', 'token-1']);
  });
});
