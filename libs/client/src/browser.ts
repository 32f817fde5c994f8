/**
 * Browser signals: input means the user is there (`activity`), a hidden page means the app went
 * to the background. Typed structurally so the SDK needs no DOM types and tests need no DOM.
 */

export interface ListenerOptions {
  readonly passive?: boolean;
  readonly capture?: boolean;
}

/** `window`, `document` or any element. */
export interface EventTargetLike {
  addEventListener(type: string, listener: () => void, options?: ListenerOptions): void;
  removeEventListener(type: string, listener: () => void, options?: ListenerOptions): void;
}

/** `document`. */
export interface VisibilityTarget extends EventTargetLike {
  readonly visibilityState: string;
}

/** Input that only a person at the device produces. */
export const ACTIVITY_EVENTS = [
  'mousemove',
  'mousedown',
  'keydown',
  'touchstart',
  'wheel',
  'scroll',
] as const;

export const DEFAULT_ACTIVITY_THROTTLE_MS = 30_000;

/**
 * Leading-edge throttle: the first call passes, then none until `windowMs` has passed since the
 * last one that did. A trailing call is not needed: the next input after the window sends it.
 * `run` returns false when it could not act (no session open), which starts no window.
 */
export function throttle(windowMs: number, now: () => number, run: () => boolean): () => void {
  let last: number | undefined;
  return () => {
    const at = now();
    if (last !== undefined && at - last < windowMs) return;
    if (run()) last = at;
  };
}

/** Calls `onActive` on user input, at most once per window; returns the function that stops it. */
export function trackActivity(
  target: EventTargetLike,
  windowMs: number,
  now: () => number,
  onActive: () => boolean,
): () => void {
  const listener = throttle(windowMs, now, onActive);
  // Capture, so input that a page handler stops from bubbling still counts; passive, so scrolling
  // never waits for the SDK.
  const options = { capture: true, passive: true };
  for (const type of ACTIVITY_EVENTS) target.addEventListener(type, listener, options);
  return () => {
    for (const type of ACTIVITY_EVENTS) target.removeEventListener(type, listener, options);
  };
}

export type Visibility = 'background' | 'foreground';

export const visibilityOf = (target: VisibilityTarget): Visibility =>
  target.visibilityState === 'hidden' ? 'background' : 'foreground';

/** Calls `onChange` with the new state on every `visibilitychange`; returns the function that stops it. */
export function trackVisibility(
  target: VisibilityTarget,
  onChange: (state: Visibility) => void,
): () => void {
  const listener = () => onChange(visibilityOf(target));
  target.addEventListener('visibilitychange', listener);
  return () => target.removeEventListener('visibilitychange', listener);
}

export interface BrowserSignals {
  readonly activity: { readonly target: EventTargetLike; readonly throttleMs: number } | undefined;
  readonly visibility: VisibilityTarget | undefined;
}

/** What the signals act on. While no session is open there is no device to tell. */
export interface SignalSink {
  isOpen(): boolean;
  activity(): void;
  deviceState(state: Visibility): void;
}

/** Starts the signals that are configured; returns the function that removes every listener. */
export function attachBrowserSignals(
  { activity, visibility }: BrowserSignals,
  now: () => number,
  sink: SignalSink,
): () => void {
  const stops: Array<() => void> = [];
  if (activity !== undefined) {
    const onActive = () => {
      if (!sink.isOpen()) return false;
      sink.activity();
      return true;
    };
    stops.push(trackActivity(activity.target, activity.throttleMs, now, onActive));
  }
  if (visibility !== undefined) {
    // A change while disconnected is not lost: the next `hello` reads the state (client.ts).
    const onChange = (state: Visibility) => {
      if (sink.isOpen()) sink.deviceState(state);
    };
    stops.push(trackVisibility(visibility, onChange));
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
