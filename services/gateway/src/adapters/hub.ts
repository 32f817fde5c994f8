import type { WireView } from './wire.js';

/** Something that receives the presence changes of the users it watches. */
export interface Watcher {
  /** `frame()` builds the shared `presence.changed` JSON once per change, for all watchers. */
  deliver(view: WireView, frame: () => string): void;
}

/**
 * The gateway's reverse index `user -> connections watching` (DESIGN.md, fan-out). Each change is
 * serialised at most once, however many connections watch the user.
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

  dispatch(view: WireView): void {
    const set = this.watchers.get(view.user);
    if (!set) return;
    let frame: string | undefined;
    const build = () => (frame ??= JSON.stringify({ type: 'presence.changed', ...view }));
    for (const watcher of set) watcher.deliver(view, build);
  }

  /** Users with at least one watcher. */
  get watchedUsers(): number {
    return this.watchers.size;
  }
}
