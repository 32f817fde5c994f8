import { describe, expect, it } from 'vitest';
import { WatchSession } from './watch-session.js';

const v = (user: string, version: number) => ({ user, version });

describe('WatchSession', () => {
  it('given a watch, when the snapshot arrives, then it is sent first', () => {
    const session = new WatchSession(10);
    expect(session.watch(['bob'])).toEqual(['bob']);
    expect(session.onSnapshot(v('bob', 3))).toEqual([{ kind: 'snapshot', view: v('bob', 3) }]);
    expect(session.onChange(v('bob', 4))).toEqual([{ kind: 'change', view: v('bob', 4) }]);
  });

  it('holds changes that arrive before the snapshot and sends the newer ones after it, in order', () => {
    const session = new WatchSession(10);
    session.watch(['bob']);
    expect(session.onChange(v('bob', 7))).toEqual([]);
    expect(session.onChange(v('bob', 5))).toEqual([]);
    expect(session.onChange(v('bob', 6))).toEqual([]);
    expect(session.onSnapshot(v('bob', 5))).toEqual([
      { kind: 'snapshot', view: v('bob', 5) },
      { kind: 'change', view: v('bob', 6) },
      { kind: 'change', view: v('bob', 7) },
    ]);
  });

  it('drops changes that are not newer than what the client has', () => {
    const session = new WatchSession(10);
    session.watch(['bob']);
    session.onSnapshot(v('bob', 5));
    expect(session.onChange(v('bob', 5))).toEqual([]);
    expect(session.onChange(v('bob', 4))).toEqual([]);
  });

  it('ignores changes and snapshots of users not watched', () => {
    const session = new WatchSession(10);
    expect(session.onChange(v('eve', 1))).toEqual([]);
    expect(session.onSnapshot(v('eve', 1))).toEqual([]);
    session.watch(['bob']);
    session.unwatch(['bob']);
    expect(session.onChange(v('bob', 9))).toEqual([]);
  });

  it('refuses a watch past the limit without adding any of it', () => {
    const session = new WatchSession(3);
    expect(session.watch(['a', 'b'])).toEqual(['a', 'b']);
    expect(session.watch(['c', 'd'])).toBeNull();
    expect(session.size).toBe(2);
    expect(session.watch(['a', 'c'])).toEqual(['c']);
    expect(session.size).toBe(3);
  });

  it('a re-watch of a watched user needs no new snapshot', () => {
    const session = new WatchSession(3);
    session.watch(['a']);
    expect(session.watch(['a'])).toEqual([]);
  });

  it('keeps the own user watched after unwatch, outside the limit and without an entry of its own', () => {
    const session = new WatchSession(1);
    session.watchSelf('me');
    expect(session.watch(['me'])).toEqual([]);
    session.unwatch(['me']);
    expect(session.users()).toEqual(['me']);
    // OwnFeed sends the own user's views; the session never does.
    expect(session.onSnapshot(v('me', 2))).toEqual([]);
    expect(session.onChange(v('me', 3))).toEqual([]);
    expect(session.watch(['x'])).toEqual(['x']);
    expect(session.users()).toEqual(['me', 'x']);
  });
});
