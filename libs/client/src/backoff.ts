/**
 * When to try again. Exponential backoff with jitter: after the n-th failed attempt in a row
 * (n from 0) the ceiling is `min(maxMs, initialMs * factor^n)`, and the delay is drawn uniformly
 * from `[ceiling * (1 - jitter), ceiling]`. `jitter: 1` is "full jitter": clients cut off by the
 * same gateway restart spread over the whole window instead of coming back in one wave.
 */
export interface ReconnectPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0 (none) to 1 (full). */
  readonly jitter: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 1,
});

/** The policy with defaults filled in; a value that makes no sense fails at construction, named. */
export function reconnectPolicy(given: Partial<ReconnectPolicy> = {}): ReconnectPolicy {
  const policy = { ...DEFAULT_RECONNECT, ...given };
  const check = (ok: boolean, field: keyof ReconnectPolicy, rule: string) => {
    if (!ok) throw new RangeError(`reconnect.${field} must be ${rule} (got ${policy[field]})`);
  };
  check(policy.initialMs > 0, 'initialMs', 'above 0');
  check(policy.maxMs >= policy.initialMs, 'maxMs', 'at least initialMs');
  check(policy.factor >= 1, 'factor', 'at least 1');
  check(policy.jitter >= 0 && policy.jitter <= 1, 'jitter', 'from 0 to 1');
  return Object.freeze(policy);
}

/** Delay before attempt `failures + 1`; `random` is in [0, 1) like Math.random. */
export function backoffDelay(failures: number, policy: ReconnectPolicy, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** failures);
  return Math.round(ceiling * (1 - policy.jitter * random));
}

/**
 * Delay after a `reconnect` frame (gateway drain): the server's `after_ms` plus up to `initialMs`
 * (times `jitter`). The gateway already spreads `after_ms` over its devices; the jitter only keeps
 * apart devices that were given the same value, so it stays small.
 */
export function drainDelay(afterMs: number, policy: ReconnectPolicy, random: number): number {
  return Math.round(Math.max(0, afterMs) + policy.jitter * random * policy.initialMs);
}
