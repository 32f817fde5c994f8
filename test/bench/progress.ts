/** Progress lines during long phases, and polling with a stall and an overall timeout. */

/** Prints `line()` every `intervalMs` (prefixed with the elapsed seconds); returns the stop function. */
export function startTicker(label: string, line: () => string, intervalMs = 5000): () => void {
  const started = performance.now();
  const timer = setInterval(() => {
    const elapsed = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    console.log(`  ${label} ${elapsed} s  ${line()}`);
  }, intervalMs);
  return () => clearInterval(timer);
}

export interface PollOptions {
  /** What we wait for, for the error message. */
  readonly what: string;
  readonly intervalMs: number;
  /** Fail when `progress` did not change for this long. */
  readonly stallMs: number;
  /** Fail after this long whatever happens. */
  readonly timeoutMs: number;
  /** One poll: done yet, and a number that grows while work is being done. */
  readonly poll: () => Promise<{ done: boolean; progress: number }>;
  /** Extra context for a failure (the aggregator's output tail). */
  readonly context?: () => string;
}

/** Polls until done; resolves with performance.now() of the poll that saw it done. */
export async function pollUntil(options: PollOptions): Promise<number> {
  const started = performance.now();
  let lastProgress = Number.NaN;
  let movedAt = started;
  for (;;) {
    const { done, progress } = await options.poll();
    const now = performance.now();
    if (done) return now;
    if (progress !== lastProgress) {
      lastProgress = progress;
      movedAt = now;
    }
    const stalled = now - movedAt > options.stallMs;
    if (stalled || now - started > options.timeoutMs) {
      const why = stalled
        ? `no progress for ${(options.stallMs / 1000).toFixed(0)} s`
        : `timed out after ${(options.timeoutMs / 1000).toFixed(0)} s`;
      throw new Error(`${why} waiting for ${options.what}${options.context?.() ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** 1234567 -> "1,234,567"; rates get no decimals. */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');

export const seconds = (ms: number) => (ms / 1000).toFixed(2);
