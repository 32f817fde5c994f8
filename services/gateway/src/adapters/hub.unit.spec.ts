import { describe, expect, it } from 'vitest';
import { WatchHub, type Watcher } from './hub.js';
import { unknownUserView } from './wire.js';

function recorder(): Watcher & { frames: string[] } {
  const frames: string[] = [];
  return { frames, deliver: (_view, frame) => frames.push(frame()) };
}

describe('WatchHub', () => {
  it('delivers a change to every watcher of the user, serialised once', () => {
    const hub = new WatchHub();
    const a = recorder();
    const b = recorder();
    hub.add(a, ['bob']);
    hub.add(b, ['bob', 'eve']);
    hub.dispatch({ ...unknownUserView('bob'), version: 3 });
    expect(a.frames).toEqual(b.frames);
    expect(a.frames[0]).toBe(b.frames[0]);
    expect(JSON.parse(a.frames[0]!)).toMatchObject({
      type: 'presence.changed',
      user: 'bob',
      version: 3,
    });
  });

  it('forgets users nobody watches any more', () => {
    const hub = new WatchHub();
    const a = recorder();
    hub.add(a, ['bob']);
    hub.remove(a, ['bob']);
    hub.dispatch(unknownUserView('bob'));
    expect(a.frames).toEqual([]);
    expect(hub.watchedUsers).toBe(0);
  });
});
