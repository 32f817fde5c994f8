/**
 * Token buckets for the gateway's limits: frames per connection and upgrades per process. Pure:
 * the caller passes the time (ms, any monotonic origin).
 */
export class TokenBucket {
  private tokens: number;
  private at: number | undefined;

  constructor(
    /** Tokens added per second: the sustained rate. */
    private readonly ratePerS: number,
    /** Tokens held at most: how far a burst may go above the rate. */
    private readonly burst: number,
  ) {
    if (!(ratePerS > 0) || !(burst >= 1)) {
      throw new RangeError(
        `a token bucket needs a rate > 0 and a burst >= 1 (${ratePerS}, ${burst})`,
      );
    }
    this.tokens = burst;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is there). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerS);
  }

  private refill(now: number): void {
    if (this.at !== undefined && now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.ratePerS) / 1000);
    }
    if (this.at === undefined || now > this.at) this.at = now;
  }
}

export type FrameVerdict = 'accept' | 'rate_limited' | 'close';

/**
 * The per-connection frame limit of CONTRACT.md: frames over the rate are refused with
 * `rate_limited`; a client that goes on regardless (another `burst` frames refused without one
 * accepted in between) is closed with 4429.
 */
export class FrameRateLimit {
  private readonly bucket: TokenBucket;
  private refusedInARow = 0;

  constructor(
    ratePerS: number,
    private readonly burst: number,
  ) {
    this.bucket = new TokenBucket(ratePerS, burst);
  }

  check(now: number): FrameVerdict {
    if (this.bucket.take(now)) {
      this.refusedInARow = 0;
      return 'accept';
    }
    this.refusedInARow += 1;
    return this.refusedInARow > this.burst ? 'close' : 'rate_limited';
  }
}
