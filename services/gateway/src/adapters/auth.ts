import { errors, jwtVerify } from 'jose';
import { isValidId } from '@presence/domain';

export interface DeviceClaims {
  readonly userId: string;
  readonly name?: string;
  readonly alias?: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

export type AuthResult =
  | { readonly ok: true; readonly claims: DeviceClaims }
  | { readonly ok: false; readonly reason: string };

/**
 * Verifies a device token (HS256 JWT with `sub` = user id and `exp`; optional `name`, `alias`).
 * The reason becomes the 4401 close reason, so it says what is wrong without echoing the token.
 */
export function createTokenVerifier(secret: string) {
  // Imported once: given the raw bytes, jose imports the key again for every verify (~40% of it).
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  return async function verify(token: string | undefined): Promise<AuthResult> {
    if (token === undefined || token === '') return { ok: false, reason: 'missing token' };
    try {
      const { payload } = await jwtVerify(token, await key, {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
      });
      if (!isValidId(payload.sub)) return { ok: false, reason: 'token sub is not a valid user id' };
      return {
        ok: true,
        claims: {
          userId: payload.sub,
          exp: payload.exp as number,
          ...(typeof payload['name'] === 'string' ? { name: payload['name'] } : {}),
          ...(typeof payload['alias'] === 'string' ? { alias: payload['alias'] } : {}),
        },
      };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' };
      if (error instanceof errors.JWTClaimValidationFailed)
        return { ok: false, reason: `invalid token: ${error.claim} claim` };
      return { ok: false, reason: 'invalid token' };
    }
  };
}
