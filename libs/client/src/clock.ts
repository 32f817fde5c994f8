/** Time as the SDK sees it; tests pass a fake one and step it by hand. */
export interface Clock {
  /** Milliseconds since the epoch (token expiry; throttling only needs differences). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wrapped rather than passed as-is: browsers throw "Illegal invocation" on a detached setTimeout. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The longest delay setTimeout honours (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
