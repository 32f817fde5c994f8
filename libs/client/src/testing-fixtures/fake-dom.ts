import type { EventTargetLike, ListenerOptions, VisibilityTarget } from '../browser.js';

/** An event target that records its listeners and dispatches on demand. */
export class FakeTarget implements EventTargetLike {
  private readonly listeners = new Map<string, Set<() => void>>();

  addEventListener(type: string, listener: () => void, _options?: ListenerOptions): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }

  removeEventListener(type: string, listener: () => void, _options?: ListenerOptions): void {
    this.listeners.get(type)?.delete(listener);
  }

  dispatch(type: string): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener();
  }

  listenerCount(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}

export class FakeDocument extends FakeTarget implements VisibilityTarget {
  visibilityState: 'visible' | 'hidden' = 'visible';

  show(state: 'visible' | 'hidden'): void {
    this.visibilityState = state;
    this.dispatch('visibilitychange');
  }
}
