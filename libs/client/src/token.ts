import { CLIENT_ERROR_CODES, PresenceError } from './errors.js';

/** A fixed token, or a function asked for a fresh one on every (re)connect and before expiry. */
export type TokenSource = string | (() => string | Promise<string>);

export async function readToken(source: TokenSource): Promise<string> {
  let token: unknown;
  try {
    token = typeof source === 'string' ? source : await source();
  } catch (error) {
    throw new PresenceError(CLIENT_ERROR_CODES.tokenUnavailable, 'the token function failed', {
      cause: error,
    });
  }
  if (typeof token !== 'string' || token === '') {
    throw new PresenceError(
      CLIENT_ERROR_CODES.tokenUnavailable,
      'the token function must return a non-empty string (a JWT)',
    );
  }
  return token;
}

/**
 * The `exp` claim of a JWT in milliseconds since the epoch, or undefined when the token is not a
 * JWT the client can read. The client never verifies the token (the gateway does); it only needs
 * to know when to ask for the next one.
 */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    // atob gives the UTF-8 bytes as Latin-1 characters: other claims may come out garbled, but
    // the JSON stays valid and `exp` is a number either way.
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='))) as {
      exp?: unknown;
    };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp)
      ? claims.exp * 1000
      : undefined;
  } catch {
    return undefined;
  }
}

/** Refresh a minute before expiry, or halfway through a token that lives less than two minutes. */
export function refreshDelay(expiresAt: number, now: number, leadMs = 60_000): number {
  const left = expiresAt - now;
  return Math.max(0, left > 2 * leadMs ? left - leadMs : left / 2);
}
