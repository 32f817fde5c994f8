/**
 * Codes the SDK raises itself; every other code is the gateway's (the `code` of an `error` frame,
 * such as `invalid_field` or `invisible_not_allowed`) and passes through unchanged.
 */
export const CLIENT_ERROR_CODES = {
  /** The socket closed while the request was in flight: it may or may not have taken effect. */
  disconnected: 'disconnected',
  /** No answer within the request timeout. */
  timeout: 'timeout',
  /** The client was closed (by `close()`, or it stopped for good after 4400/4401). */
  closed: 'closed',
  /** The token function threw or returned something other than a non-empty string. */
  tokenUnavailable: 'token_unavailable',
  /** The WebSocket refused the URL (the client stops). */
  invalidUrl: 'invalid_url',
  /** Refused before sending: an id the gateway would refuse (`[A-Za-z0-9_-]{1,128}`). */
  invalidUserId: 'invalid_user_id',
} as const;

/** An error of the Presence protocol: `code` is stable snake_case, `message` is for people. */
export class PresenceError extends Error {
  override readonly name = 'PresenceError';

  constructor(
    readonly code: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isPresenceError(error: unknown, code?: string): error is PresenceError {
  return error instanceof PresenceError && (code === undefined || error.code === code);
}
