import type { Clock } from './clock.js';
import { CLIENT_ERROR_CODES, PresenceError } from './errors.js';
import type { AckFrame, ClientFrame, ErrorFrame } from './frames.js';

interface Pending {
  readonly type: string;
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (error: PresenceError) => void;
  readonly timer: unknown;
  sent: boolean;
}

/**
 * Requests by id. A request made while no session is open waits here, unsent, and goes out once
 * the next `hello` arrives; the timeout runs from the call either way, so a caller never waits
 * longer than that for an answer.
 */
export class Requests {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  add(frame: ClientFrame): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () =>
          this.finish(
            id,
            new PresenceError(
              CLIENT_ERROR_CODES.timeout,
              `${frame.type}: no answer within ${this.timeoutMs} ms`,
            ),
          ),
        this.timeoutMs,
      );
      // JSON drops `undefined` fields: the gateway wants an optional field left out, not null.
      const text = JSON.stringify({ ...frame, id });
      this.pending.set(id, { type: frame.type, text, resolve, reject, timer, sent: false });
    });
  }

  /** The texts of requests not sent yet, in call order; they count as sent from now on. */
  takeUnsent(): string[] {
    const texts: string[] = [];
    for (const request of this.pending.values()) {
      if (request.sent) continue;
      request.sent = true;
      texts.push(request.text);
    }
    return texts;
  }

  /** Settles the request an `ack` or `error` answers; false when none waits for it (timed out). */
  answer(frame: AckFrame | ErrorFrame): boolean {
    if (typeof frame.id !== 'number' || !this.pending.has(frame.id)) return false;
    this.finish(
      frame.id,
      frame.type === 'ack' ? undefined : new PresenceError(frame.code, frame.message),
    );
    return true;
  }

  /** The socket closed: what was sent on it can no longer be answered. */
  disconnected(): void {
    for (const [id, request] of this.pending) {
      if (!request.sent) continue;
      this.finish(
        id,
        new PresenceError(
          CLIENT_ERROR_CODES.disconnected,
          `${request.type}: the connection closed before the answer`,
        ),
      );
    }
  }

  /** The client stopped: nothing will be sent or answered any more. */
  closed(reason: string): void {
    for (const [id, request] of this.pending) {
      this.finish(id, new PresenceError(CLIENT_ERROR_CODES.closed, `${request.type}: ${reason}`));
    }
  }

  private finish(id: number, error: PresenceError | undefined): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    this.pending.delete(id);
    this.clock.clearTimeout(request.timer);
    if (error === undefined) request.resolve();
    else request.reject(error);
  }
}
