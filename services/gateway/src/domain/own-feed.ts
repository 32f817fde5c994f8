import type { Outgoing, VersionedView } from './watch-session.js';

/**
 * What a user's own devices see of their presence (RULES.md 2.7, 2.8): the public view merged with
 * the own view. The aggregator publishes the own view (`presence.v1.own.<user>`) only while it
 * differs from the public one (invisible, hidden) and once when it stops differing; both carry the
 * same version sequence, and for one event the own view is the truth for the user's devices.
 */

export type ViewSource = 'public' | 'own';

export interface SentView {
  readonly version: number;
  readonly source: ViewSource;
}

/**
 * The merge rule: a view goes to the own devices when it is newer than the last one sent, or when
 * it is the own view of the same version as a public one already sent (own wins a tie, whichever
 * arrived first).
 */
export function supersedes(
  last: SentView | undefined,
  version: number,
  source: ViewSource,
): boolean {
  if (last === undefined || version > last.version) return true;
  return version === last.version && source === 'own' && last.source === 'public';
}

/** At hello: the higher version of the two last values, the own view on a tie. */
export function pickOwnSnapshot<V extends VersionedView>(
  publicView: V,
  ownView: V | null,
): { readonly view: V; readonly source: ViewSource } {
  if (ownView !== null && ownView.version >= publicView.version)
    return { view: ownView, source: 'own' };
  return { view: publicView, source: 'public' };
}

/**
 * One connection's feed of its own user: the snapshot first (`hello` and a `presence` frame), then
 * every view the merge rule lets through. Views that arrive while the snapshot is being read are
 * held and replayed after it, like WatchSession does for watched users.
 */
export class OwnFeed<V extends VersionedView> {
  private last: SentView | undefined;
  private held: Array<{ view: V; source: ViewSource }> | null = [];

  /** The last values were read; returns the view to greet with and what follows it. */
  onSnapshot(publicView: V, ownView: V | null): { readonly self: V; readonly out: Outgoing<V>[] } {
    const picked = pickOwnSnapshot(publicView, ownView);
    const held = this.held ?? [];
    this.held = null;
    this.last = { version: picked.view.version, source: picked.source };
    const out: Outgoing<V>[] = [{ kind: 'snapshot', view: picked.view }];
    // Public before own on a tie, so the held pair of one event ends on the own view.
    held.sort((a, b) => a.view.version - b.view.version || rank(a.source) - rank(b.source));
    for (const { view, source } of held) out.push(...this.onChange(view, source));
    return { self: picked.view, out };
  }

  onChange(view: V, source: ViewSource): Outgoing<V>[] {
    if (this.held !== null) {
      this.held.push({ view, source });
      return [];
    }
    if (!supersedes(this.last, view.version, source)) return [];
    this.last = { version: view.version, source };
    return [{ kind: 'change', view }];
  }
}

const rank = (source: ViewSource) => (source === 'public' ? 0 : 1);
