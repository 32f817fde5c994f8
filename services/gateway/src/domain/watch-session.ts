/**
 * One connection's presence subscriptions, and the ordering rules of CONTRACT.md: on watch the
 * client first gets the user's current view (`presence`), then every change (`presence.changed`)
 * in version order. A change that arrives while the snapshot is still being read is held back and
 * sent after it, and anything not newer than what the client already has is dropped, so a watch
 * never loses or reorders a change. No I/O: the adapter reads snapshots and sends frames.
 */

import { SmallMap } from './small-map.js';

export interface VersionedView {
  readonly user: string;
  readonly version: number;
}

export type Outgoing<V extends VersionedView> =
  { readonly kind: 'snapshot'; readonly view: V } | { readonly kind: 'change'; readonly view: V };

export class WatchSession<V extends VersionedView> {
  /**
   * Per watched user (the own user aside): the highest version the client has, or the changes
   * held while its snapshot is read. A number or an array rather than an object per entry, in a
   * SmallMap: thousands of connections watch tens of users each, and memory per connection is a
   * target.
   */
  private readonly entries = new SmallMap<string, number | V[]>();
  private self: string | undefined;
  /** The own user is also watched explicitly (it counts against the limit then). */
  private selfWatched = false;

  constructor(private readonly maxWatched: number) {}

  /** Users watched with `watch` (the limit counts these, not the implicit own user). */
  get size(): number {
    return this.entries.size + (this.selfWatched ? 1 : 0);
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
    const added = [...new Set(users)].filter((user) =>
      user === this.self ? !this.selfWatched : !this.entries.has(user),
    );
    if (this.size + added.length > this.maxWatched) return null;
    const fresh = added.filter((user) => user !== this.self);
    if (fresh.length < added.length) this.selfWatched = true;
    this.entries.addNew(fresh.map((user): [string, V[]] => [user, []]));
    return fresh;
  }

  /** Removes explicit watches; the own user stays watched. */
  unwatch(users: readonly string[]): void {
    for (const user of users) {
      if (user === this.self) this.selfWatched = false;
      else this.entries.delete(user);
    }
  }

  /** Every watched user, including the own user. */
  users(): string[] {
    const users = this.entries.keys();
    return this.self === undefined ? users : [this.self, ...users];
  }

  /** The current view was read: the snapshot, then held changes that are newer. */
  onSnapshot(view: V): Outgoing<V>[] {
    const held = this.entries.get(view.user);
    if (!Array.isArray(held)) return [];
    held.sort((a, b) => a.version - b.version);
    let version = view.version;
    const out: Outgoing<V>[] = [{ kind: 'snapshot', view }];
    for (const change of held) {
      if (change.version > version) {
        out.push({ kind: 'change', view: change });
        version = change.version;
      }
    }
    this.entries.set(view.user, version);
    return out;
  }

  /** A change was published: send it now, hold it until the snapshot, or drop it as stale. */
  onChange(view: V): Outgoing<V>[] {
    const entry = this.entries.get(view.user);
    if (entry === undefined) return [];
    if (Array.isArray(entry)) {
      entry.push(view);
      return [];
    }
    if (view.version <= entry) return [];
    this.entries.set(view.user, view.version);
    return [{ kind: 'change', view }];
  }
}
