import { backoffDelay, drainDelay, type ReconnectPolicy } from './backoff.js';

/** Close codes of CONTRACT.md the policy tells apart. */
export const CLOSE_CODES = {
  normal: 1000,
  badRequest: 4400,
  unauthorized: 4401,
  slowConsumer: 4408,
  rateLimited: 4429,
} as const;

export interface CloseContext {
  /** The application called `close()`. */
  readonly closing: boolean;
  /** `after_ms` of a `reconnect` frame (gateway drain) received on this socket. */
  readonly drainAfterMs: number | undefined;
  /** The token comes from a function, so a 4401 can be answered with a fresh one. */
  readonly tokenRenewable: boolean;
  /** A 4401 was already answered with a fresh token since the last `hello`. */
  readonly authRetried: boolean;
  /** Attempts in a row that ended without a `hello`, or with a close after it. */
  readonly failures: number;
}

export type CloseDecision =
  /** Done: no reconnect (closed by the app, 4400, or a 4401 a fresh token cannot fix). */
  | { readonly action: 'stop' }
  /** Reconnect at once with a fresh token, once. */
  | { readonly action: 'renew-token' }
  /** Reconnect after `delayMs`; counts as one more failure. */
  | { readonly action: 'backoff'; readonly delayMs: number }
  /** Reconnect when the draining gateway asked to; not a failure. */
  | { readonly action: 'drain'; readonly delayMs: number };

/**
 * What to do after the socket closed. 4400 (bad device id or platform) would fail the same way
 * every time, and so would 4401 with a fixed token. Everything else (network loss 1006, gateway
 * restart 1001/1012, 4429 rate limit, 4408 slow consumer, 1013) is worth retrying, with backoff
 * so that a fleet of devices does not hammer a recovering gateway.
 */
export function decideAfterClose(
  code: number,
  context: CloseContext,
  policy: ReconnectPolicy,
  random: number,
): CloseDecision {
  if (context.closing) return { action: 'stop' };
  if (context.drainAfterMs !== undefined) {
    return { action: 'drain', delayMs: drainDelay(context.drainAfterMs, policy, random) };
  }
  switch (code) {
    case CLOSE_CODES.badRequest:
      return { action: 'stop' };
    case CLOSE_CODES.unauthorized:
      return context.tokenRenewable && !context.authRetried
        ? { action: 'renew-token' }
        : { action: 'stop' };
    default:
      return { action: 'backoff', delayMs: backoffDelay(context.failures, policy, random) };
  }
}
