import { without } from '../domain/small-map.js';
import type { PresenceUpdate } from './wire.js';

/** Something that receives the presence changes of the users it watches. */
export interface Watcher {
  /** The update builds its JSON frame or keeps its protobuf once for all watchers. */
  deliver(update: PresenceUpdate): void;
  /** A ready WebSocket frame for the user's devices (`room.state`); watchers that are no device ignore it. */
  push?(frame: Buffer): void;
}

/** Reads a user's last stored view (the PRESENCE stream's last message); null when it has none. */
export type ReadLast = (user: string) => Promise<PresenceUpdate | null>;

/** A cached last view is trusted this long; older, it is read again (it may have missed a change). */
export const DEFAULT_MAX_CACHE_AGE_MS = 30_000;

/**
 * Up to this many watchers of a user are kept in an array of exactly that size (replaced on each
 * add or remove), more in a Set: most users have a few watchers (their own devices, a team), and
 * a Set's table costs ~250 bytes even for one; memory per connection is a target.
 */
const FEW_WATCHERS = 32;

interface Entry {
  /** Replaced, never changed in place: a dispatch that iterates an array is not disturbed. */
  watchers: readonly Watcher[] | Set<Watcher>;
  /** The newest view seen while the user was watched; undefined = not known, null = none stored. */
  latest: PresenceUpdate | null | undefined;
  /** When `latest` was read or last replaced by a change. */
  at: number;
  /** A read of the last view in flight, shared by every watcher that starts meanwhile. */
  reading: Promise<PresenceUpdate | null> | undefined;
}

/**
 * The gateway's reverse index `user -> watchers` (DESIGN.md, fan-out): device connections and
 * gRPC WatchPresence calls. Each change is serialised at most once, however many watch the user.
 *
 * It also keeps each watched user's latest view: while a user is watched, the subscription hands
 * every change of theirs to the hub, so a new watcher's snapshot is that view, not a read of the
 * stream. Measured, a connect read 12 last values (own view, public view, 10 watched users),
 * most of them views the gateway already had.
 */
export class WatchHub {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxCacheAgeMs = DEFAULT_MAX_CACHE_AGE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(watcher: Watcher, users: Iterable<string>): void {
    for (const user of users) {
      let entry = this.entries.get(user);
      if (!entry) {
        entry = { watchers: [], latest: undefined, at: 0, reading: undefined };
        this.entries.set(user, entry);
      }
      entry.watchers = withWatcher(entry.watchers, watcher);
    }
  }

  remove(watcher: Watcher, users: Iterable<string>): void {
    for (const user of users) {
      const entry = this.entries.get(user);
      if (!entry) continue;
      entry.watchers = withoutWatcher(entry.watchers, watcher);
      if (countOf(entry.watchers) === 0) this.entries.delete(user);
    }
  }

  /** Whether anyone watches the user: changes of nobody's interest are not even decoded. */
  has(user: string): boolean {
    return this.entries.has(user);
  }

  /** Hands a ready frame to every watcher of the user that takes pushes. */
  push(user: string, frame: Buffer): void {
    const entry = this.entries.get(user);
    if (!entry) return;
    for (const watcher of entry.watchers) watcher.push?.(frame);
  }

  dispatch(update: PresenceUpdate): void {
    const entry = this.entries.get(update.user);
    if (!entry) return;
    this.remember(entry, update);
    for (const watcher of entry.watchers) watcher.deliver(update);
  }

  /**
   * The user's last view for a snapshot: the one kept while they are watched when it is recent,
   * else read (one read at a time per user). Never older than a change the hub dispatched before
   * it resolves, so a watcher that joined after that change still gets it. Call it after `add`:
   * an unwatched user is read every time, as nothing would keep the view current.
   */
  lastValue(user: string, read: ReadLast): Promise<PresenceUpdate | null> {
    const entry = this.entries.get(user);
    if (!entry) return read(user);
    if (entry.latest !== undefined && this.now() - entry.at <= this.maxCacheAgeMs) {
      return Promise.resolve(entry.latest);
    }
    if (entry.reading) return entry.reading;
    const reading = read(user).then(
      (value) => {
        if (entry.reading === reading) entry.reading = undefined;
        this.remember(entry, value);
        return newest(entry.latest, value);
      },
      (error: unknown) => {
        if (entry.reading === reading) entry.reading = undefined;
        throw error;
      },
    );
    entry.reading = reading;
    return reading;
  }

  /**
   * After the bus connection came back: changes published while it was down never reached the
   * hub. Every watched user's view is read again and handed to the watchers, who drop what they
   * already have (versions), so nobody is left with a stale view.
   */
  async resync(read: ReadLast, concurrency: number): Promise<void> {
    for (const entry of this.entries.values()) entry.latest = undefined;
    const users = [...this.entries.keys()];
    for (let i = 0; i < users.length; i += concurrency) {
      const views = await Promise.all(
        users.slice(i, i + concurrency).map((user) => this.lastValue(user, read)),
      );
      for (const view of views) if (view) this.dispatch(view);
    }
  }

  /** Users with at least one watcher. */
  get watchedUsers(): number {
    return this.entries.size;
  }

  private remember(entry: Entry, value: PresenceUpdate | null): void {
    const kept = newest(entry.latest, value);
    // A read older than a change already kept confirms nothing: the change's age stays.
    if (entry.latest !== undefined && kept !== value) return;
    entry.latest = kept;
    entry.at = this.now();
  }
}

function withWatcher(
  watchers: readonly Watcher[] | Set<Watcher>,
  watcher: Watcher,
): readonly Watcher[] | Set<Watcher> {
  if (watchers instanceof Set) return watchers.add(watcher);
  if (watchers.includes(watcher)) return watchers;
  // concat allocates exactly the new length (a spread leaves room to grow).
  return watchers.length < FEW_WATCHERS ? watchers.concat(watcher) : new Set(watchers).add(watcher);
}

function withoutWatcher(
  watchers: readonly Watcher[] | Set<Watcher>,
  watcher: Watcher,
): readonly Watcher[] | Set<Watcher> {
  if (watchers instanceof Set) {
    watchers.delete(watcher);
    return watchers;
  }
  const i = watchers.indexOf(watcher);
  return i < 0 ? watchers : without(watchers, i);
}

const countOf = (watchers: readonly Watcher[] | Set<Watcher>) =>
  watchers instanceof Set ? watchers.size : watchers.length;

function newest(
  a: PresenceUpdate | null | undefined,
  b: PresenceUpdate | null,
): PresenceUpdate | null {
  if (a === undefined || a === null) return b;
  if (b === null) return a;
  return b.version >= a.version ? b : a;
}
