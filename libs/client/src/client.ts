import { attachBrowserSignals, visibilityOf } from './browser.js';
import { MAX_TIMER_MS } from './clock.js';
import { Connection, type CloseInfo, type ConnectionState } from './connection.js';
import { Emitter } from './emitter.js';
import { CLIENT_ERROR_CODES, PresenceError, isPresenceError } from './errors.js';
import type { PresenceClient, PresenceClientEvent, PresenceClientEvents } from './api.js';
import type {
  AudioMode,
  ClientFrame,
  HelloFrame,
  MeetingIndicators,
  Preferences,
  PresenceView,
  ServerFrame,
  StatusChoice,
  SystemState,
} from './frames.js';
import { resolveOptions, type PresenceClientOptions, type ResolvedOptions } from './options.js';
import { PresenceCache } from './presence-cache.js';
import { Requests } from './requests.js';
import { readToken, refreshDelay, tokenExpiry, type TokenSource } from './token.js';
import { MAX_USERS_PER_FRAME, chunk, emptyWatches, isValidId, restoreFrames } from './watches.js';

/** Connects at once (in a microtask, so listeners added right after creation see everything). */
export function createPresenceClient(options: PresenceClientOptions): PresenceClient {
  return new Client(resolveOptions(options));
}

/** Answers that say nothing about the frame itself, so they must not undo local state. */
const TRANSIENT: ReadonlySet<string> = new Set([
  CLIENT_ERROR_CODES.disconnected,
  CLIENT_ERROR_CODES.timeout,
  CLIENT_ERROR_CODES.closed,
]);
const isRefusal = (error: unknown) => isPresenceError(error) && !TRANSIENT.has(error.code);

/**
 * Wires the pieces: the socket lifecycle (connection.ts), the request table, the watch sets that
 * every new session gets again, the presence cache and the browser signals. Long only because
 * the protocol has two dozen commands, each a one-line method.
 */
class Client implements PresenceClient {
  private readonly events = new Emitter<PresenceClientEvents>();
  private readonly requests: Requests;
  private readonly cache = new PresenceCache();
  private readonly watches = emptyWatches();
  private readonly connection: Connection;
  private readonly detachSignals: () => void;
  private token: TokenSource;
  private refreshTimer: unknown;
  private closing: Promise<void> | undefined;
  private lastHello: HelloFrame | undefined;

  constructor(private readonly options: ResolvedOptions) {
    this.token = options.token;
    this.requests = new Requests(options.clock, options.requestTimeoutMs);
    this.connection = new Connection(
      {
        ...options,
        token: () => readToken(this.token),
        tokenRenewable: typeof options.token === 'function',
      },
      {
        state: (state) => this.events.emit('state', state),
        open: (hello, reconnected) => this.greet(hello, reconnected),
        frame: (frame) => this.dispatch(frame),
        closed: (info) => this.onClosed(info),
        error: (error) => this.events.emit('error', error),
      },
    );
    this.detachSignals = attachBrowserSignals(options, () => options.clock.now(), {
      isOpen: () => this.connection.isOpen,
      activity: () => this.background(this.activity()),
      deviceState: (state) => this.background(this.deviceState(state)),
    });
    queueMicrotask(() => this.connection.start());
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  get hello(): HelloFrame | undefined {
    return this.lastHello;
  }

  on<K extends PresenceClientEvent>(
    event: K,
    listener: (payload: PresenceClientEvents[K]) => void,
  ): () => void {
    return this.events.on(event, listener);
  }

  presenceOf(user: string): PresenceView | undefined {
    return this.cache.get(user);
  }

  async watch(users: readonly string[]): Promise<void> {
    const bad = users.find((user) => !isValidId(user));
    if (bad !== undefined) {
      throw new PresenceError(
        CLIENT_ERROR_CODES.invalidUserId,
        `${JSON.stringify(bad).slice(0, 140)} is not a valid user id ([A-Za-z0-9_-]{1,128})`,
      );
    }
    const unique = [...new Set(users)];
    await Promise.all(
      chunk(unique, MAX_USERS_PER_FRAME).map(async (part) => {
        const fresh = part.filter((user) => !this.watches.users.has(user));
        for (const user of fresh) this.watches.users.add(user);
        try {
          await this.request({ type: 'watch', users: part });
        } catch (error) {
          // Refused: forget them, or every reconnect would send the refused watch again.
          if (isRefusal(error)) for (const user of fresh) this.forgetUser(user);
          throw error;
        }
      }),
    );
  }

  async unwatch(users: readonly string[]): Promise<void> {
    const unique = [...new Set(users)];
    for (const user of unique) this.forgetUser(user);
    await Promise.all(
      chunk(unique, MAX_USERS_PER_FRAME).map((part) =>
        this.request({ type: 'unwatch', users: part }),
      ),
    );
  }

  setStatus(presence: StatusChoice, text?: string): Promise<void> {
    return this.request({ type: 'status.set', presence, text });
  }

  setCustomStatus(customStatusId: string): Promise<void> {
    return this.request({ type: 'status.custom', custom_status_id: customStatusId });
  }

  setStatusText(text: string, clearAfterS?: number): Promise<void> {
    return this.request({ type: 'status.text', text, clear_after_s: clearAfterS });
  }

  setPreferences(preferences: Preferences): Promise<void> {
    return this.request({ type: 'preferences.set', ...preferences });
  }

  activity(): Promise<void> {
    return this.request({ type: 'activity' });
  }

  deviceState(state: SystemState): Promise<void> {
    return this.request({ type: 'device', state });
  }

  openRoom(room: string): Promise<void> {
    return this.request({ type: 'room.open', room });
  }

  closeRoom(room: string): Promise<void> {
    return this.request({ type: 'room.close', room });
  }

  hideRoom(room: string): Promise<void> {
    return this.request({ type: 'room.hide', room });
  }

  watchRoom(room: string): Promise<void> {
    return this.watchOne(this.watches.rooms, { type: 'room.watch', room }, room);
  }

  unwatchRoom(room: string): Promise<void> {
    this.watches.rooms.delete(room);
    return this.request({ type: 'room.unwatch', room });
  }

  postMessage(room: string, content: string): Promise<void> {
    return this.request({ type: 'message.post', room, content });
  }

  joinMeeting(meeting: string, audio?: AudioMode): Promise<void> {
    return this.request({ type: 'meeting.join', meeting, audio });
  }

  leaveMeeting(meeting: string): Promise<void> {
    return this.request({ type: 'meeting.leave', meeting });
  }

  declineMeeting(meeting: string): Promise<void> {
    return this.request({ type: 'meeting.decline', meeting });
  }

  lateForMeeting(meeting: string): Promise<void> {
    return this.request({ type: 'meeting.late', meeting });
  }

  updateMeeting(meeting: string, indicators: MeetingIndicators): Promise<void> {
    return this.request({ type: 'meeting.update', meeting, ...indicators });
  }

  watchMeeting(meeting: string): Promise<void> {
    return this.watchOne(this.watches.meetings, { type: 'meeting.watch', meeting }, meeting);
  }

  unwatchMeeting(meeting: string): Promise<void> {
    this.watches.meetings.delete(meeting);
    return this.request({ type: 'meeting.unwatch', meeting });
  }

  async refreshToken(token?: string): Promise<void> {
    const fresh = token ?? (await readToken(this.token));
    await this.request({ type: 'auth.refresh', token: fresh });
    // A fixed token is replaced, so the next reconnect presents the new one and not the expired.
    if (typeof this.token === 'string') this.token = fresh;
    this.scheduleRefresh(fresh);
  }

  close(): Promise<void> {
    return (this.closing ??= this.goodbye());
  }

  private async goodbye(): Promise<void> {
    this.connection.stopReconnecting();
    this.stop();
    if (this.connection.isOpen) {
      // The gateway records the device offline at once on goodbye, but only if the frame is read
      // before the socket closes; so wait for its ack (or the timeout) before closing.
      const said = this.requests.add({ type: 'goodbye' });
      this.flush();
      await said.catch(() => undefined);
    }
    this.connection.close('goodbye');
  }

  private async watchOne(set: Set<string>, frame: ClientFrame, key: string): Promise<void> {
    const fresh = !set.has(key);
    set.add(key);
    try {
      await this.request(frame);
    } catch (error) {
      if (fresh && isRefusal(error)) set.delete(key);
      throw error;
    }
  }

  private forgetUser(user: string): void {
    this.watches.users.delete(user);
    // The own view keeps coming whether watched or not.
    if (user !== this.lastHello?.user) this.cache.delete(user);
  }

  private request(frame: ClientFrame): Promise<void> {
    if (this.closing !== undefined || this.connection.state === 'closed') {
      return Promise.reject(
        new PresenceError(CLIENT_ERROR_CODES.closed, `${frame.type}: the client is closed`),
      );
    }
    const answered = this.requests.add(frame);
    this.flush();
    return answered;
  }

  /** Sends what waits, if a session is open; otherwise it goes at the next `hello`. */
  private flush(): void {
    if (!this.connection.isOpen) return;
    for (const text of this.requests.takeUnsent()) this.connection.send(text);
  }

  /** For requests the SDK makes itself: only a refusal is worth telling the application about. */
  private background(request: Promise<void>, onRefusal?: () => void): void {
    request.catch((error: unknown) => {
      if (!isRefusal(error)) return;
      onRefusal?.();
      this.events.emit('error', error as PresenceError);
    });
  }

  private dispatch(frame: Exclude<ServerFrame, HelloFrame>): void {
    switch (frame.type) {
      case 'presence':
        return this.offer(frame) ? this.events.emit('presence', frame) : undefined;
      case 'presence.changed':
        return this.offer(frame) ? this.events.emit('presence.changed', frame) : undefined;
      case 'ack':
        return void this.requests.answer(frame);
      case 'error':
        // An answer to a request that already timed out is dropped; one without an id has no
        // promise to reject, so it is an event.
        if (frame.id === undefined) {
          this.events.emit('error', new PresenceError(frame.code, frame.message));
        } else this.requests.answer(frame);
        return;
      case 'presence.disabled':
        return this.events.emit(frame.type, frame);
      case 'presence.enabled':
        return this.events.emit(frame.type, frame);
      case 'room.roster':
        return this.events.emit(frame.type, frame);
      case 'room.member.changed':
        return this.events.emit(frame.type, frame);
      case 'room.state':
        return this.events.emit(frame.type, frame);
      case 'message':
        return this.events.emit(frame.type, frame);
      case 'notification':
        return this.events.emit(frame.type, frame);
      case 'meeting.roster':
        return this.events.emit(frame.type, frame);
      case 'meeting.attendee.changed':
        return this.events.emit(frame.type, frame);
      case 'reconnect':
        return this.events.emit(frame.type, frame);
    }
  }

  /** A new session: it knows none of this client's watches, so they are sent again first. */
  private greet(hello: HelloFrame, reconnected: boolean): void {
    this.lastHello = hello;
    this.cache.offer(hello.self);
    for (const frame of restoreFrames(this.watches)) {
      this.background(this.requests.add(frame), () => this.restoreRefused(frame));
    }
    const { visibility } = this.options;
    if (visibility !== undefined && visibilityOf(visibility) === 'background') {
      this.background(this.requests.add({ type: 'device', state: 'background' }));
    }
    this.flush();
    this.scheduleRefresh(this.connection.sessionToken ?? '');
    this.events.emit('hello', hello);
    this.events.emit('open', { session: hello.session, reconnected });
  }

  /** A room or meeting the new session refuses to watch is dropped; a users chunk cannot be split. */
  private restoreRefused(frame: ClientFrame): void {
    if (frame.type === 'room.watch') this.watches.rooms.delete(frame.room);
    if (frame.type === 'meeting.watch') this.watches.meetings.delete(frame.meeting);
  }

  /** Takes a view into the cache if it is about a user this client follows and is not stale. */
  private offer(view: PresenceView): boolean {
    const followed = this.watches.users.has(view.user) || view.user === this.lastHello?.user;
    return followed && this.cache.offer(view);
  }

  private onClosed(info: CloseInfo): void {
    this.options.clock.clearTimeout(this.refreshTimer);
    this.requests.disconnected();
    this.events.emit('close', info);
    if (!info.willReconnect) {
      this.stop();
      this.requests.closed(`the client is closed (${info.code} ${info.reason})`.trim());
    }
  }

  /**
   * Refreshes a token from the token function before it expires, so the gateway need not close
   * the session with 4401. With a fixed token there is nothing to ask; the app calls refreshToken.
   */
  private scheduleRefresh(token: string): void {
    this.options.clock.clearTimeout(this.refreshTimer);
    if (typeof this.token !== 'function') return;
    const expiresAt = tokenExpiry(token);
    if (expiresAt === undefined) return;
    const delay = refreshDelay(expiresAt, this.options.clock.now());
    this.refreshTimer = this.options.clock.setTimeout(
      () =>
        delay > MAX_TIMER_MS ? this.scheduleRefresh(token) : this.background(this.refreshToken()),
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  private stop(): void {
    this.options.clock.clearTimeout(this.refreshTimer);
    this.detachSignals();
  }
}
