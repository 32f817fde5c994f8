import type { PresenceView } from './frames.js';

/**
 * The latest view of each user, as far as this client knows. The gateway sends a user's changes in
 * version order, but a snapshot after a reconnect (or from a lagging gateway) may be older than a
 * change already seen: a view below the version held is dropped (CONTRACT.md). An equal version is
 * taken, because the gateway may follow a public view with the own view of the same version, and
 * the own view (the user's real state, such as `invisible`) is the one to show.
 */
export class PresenceCache {
  private readonly views = new Map<string, PresenceView>();

  /** Keeps the view unless it is older than the one held; says whether it was kept. */
  offer(view: PresenceView): boolean {
    if (!isCurrent(this.views.get(view.user), view)) return false;
    this.views.set(view.user, toView(view));
    return true;
  }

  get(user: string): PresenceView | undefined {
    return this.views.get(user);
  }

  delete(user: string): void {
    this.views.delete(user);
  }
}

export function isCurrent(held: PresenceView | undefined, offered: PresenceView): boolean {
  return held === undefined || offered.version >= held.version;
}

/** The view without the frame's `type`, so what `presenceOf` returns is the same for both kinds. */
function toView(view: PresenceView): PresenceView {
  const { type: _type, ...rest } = view as PresenceView & { readonly type?: unknown };
  return rest;
}
