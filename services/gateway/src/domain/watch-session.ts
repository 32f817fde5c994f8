/**
 * One connection's presence subscriptions, and the ordering rules of CONTRACT.md: on watch the
 * client first gets the user's current view (`presence`), then every change (`presence.changed`)
 * in version order. A change that arrives while the snapshot is still being read is held back and
 * sent after it, and anything not newer than what the client already has is dropped, so a watch
 * never loses or reorders a change. No I/O: the adapter reads snapshots and sends frames.
 */

export interface VersionedView {
  readonly user: string;
  readonly version: number;
}

export type Outgoing<V extends VersionedView> =
  { readonly kind: 'snapshot'; readonly view: V } | { readonly kind: 'change'; readonly view: V };

interface Entry<V> {
  /** Highest version the client has; -1 before the snapshot. */
  version: number;
  /** Changes received while the snapshot is pending; null once it was sent. */
  held: V[] | null;
}

export class WatchSession<V extends VersionedView> {
  private readonly entries = new Map<string, Entry<V>>();
  /** Users watched with `watch` (the limit counts these, not the implicit own user). */
  private readonly explicit = new Set<string>();
  private self: string | undefined;

  constructor(private readonly maxWatched: number) {}

  get size(): number {
    return this.explicit.size;
  }

  /**
   * Names the connection's own user: watched implicitly (outside the limit, cannot be unwatched)
   * and fed by OwnFeed, which merges the own view in, so no entry here sends it the public view alone.
   */
  watchSelf(user: string): void {
    this.self = user;
  }

  /**
   * Adds users; returns those whose snapshot must now be read, or null (nothing added) when the
   * watch would exceed the per-connection limit.
   */
  watch(users: readonly string[]): string[] | null {
    const added = users.filter((user) => !this.explicit.has(user));
    if (this.explicit.size + added.length > this.maxWatched) return null;
    for (const user of added) this.explicit.add(user);
    return added.filter((user) => user !== this.self && this.add(user));
  }

  /** Removes explicit watches; the own user stays watched. */
  unwatch(users: readonly string[]): void {
    for (const user of users) {
      if (this.explicit.delete(user)) this.entries.delete(user);
    }
  }

  /** Every watched user, including the own user. */
  users(): string[] {
    const users = [...this.entries.keys()];
    return this.self === undefined ? users : [this.self, ...users];
  }

  /** The current view was read: the snapshot, then held changes that are newer. */
  onSnapshot(view: V): Outgoing<V>[] {
    const entry = this.entries.get(view.user);
    if (!entry || entry.held === null) return [];
    const held = entry.held.sort((a, b) => a.version - b.version);
    entry.held = null;
    entry.version = view.version;
    const out: Outgoing<V>[] = [{ kind: 'snapshot', view }];
    for (const change of held) {
      if (change.version > entry.version) {
        out.push({ kind: 'change', view: change });
        entry.version = change.version;
      }
    }
    return out;
  }

  /** A change was published: send it now, hold it until the snapshot, or drop it as stale. */
  onChange(view: V): Outgoing<V>[] {
    const entry = this.entries.get(view.user);
    if (!entry) return [];
    if (entry.held !== null) {
      entry.held.push(view);
      return [];
    }
    if (view.version <= entry.version) return [];
    entry.version = view.version;
    return [{ kind: 'change', view }];
  }

  private add(user: string): boolean {
    if (this.entries.has(user)) return false;
    this.entries.set(user, { version: -1, held: [] });
    return true;
  }
}
