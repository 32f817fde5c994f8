import type { PresenceUpdate } from './wire.js';

/** Something that receives the presence changes of the users it watches. */
export interface Watcher {
  /** The update builds its JSON frame or keeps its protobuf once for all watchers. */
  deliver(update: PresenceUpdate): void;
}

/**
 * The gateway's reverse index `user -> watchers` (DESIGN.md, fan-out): device connections and
 * gRPC WatchPresence calls. Each change is serialised at most once, however many watch the user.
 */
export class WatchHub {
  private readonly watchers = new Map<string, Set<Watcher>>();

  add(watcher: Watcher, users: Iterable<string>): void {
    for (const user of users) {
      let set = this.watchers.get(user);
      if (!set) this.watchers.set(user, (set = new Set()));
      set.add(watcher);
    }
  }

  remove(watcher: Watcher, users: Iterable<string>): void {
    for (const user of users) {
      const set = this.watchers.get(user);
      if (!set) continue;
      set.delete(watcher);
      if (set.size === 0) this.watchers.delete(user);
    }
  }

  /** Whether anyone watches the user: changes of nobody's interest are not even decoded. */
  has(user: string): boolean {
    return this.watchers.has(user);
  }

  dispatch(update: PresenceUpdate): void {
    const set = this.watchers.get(update.user);
    if (!set) return;
    for (const watcher of set) watcher.deliver(update);
  }

  /** Users with at least one watcher. */
  get watchedUsers(): number {
    return this.watchers.size;
  }
}
