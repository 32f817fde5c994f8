import { describe, expect, it } from 'vitest';
import { PresenceUpdate } from './wire.js';
import { WatchHub, type Watcher } from './hub.js';

function recorder(): Watcher & { frames: string[] } {
  const frames: string[] = [];
  return { frames, deliver: (update) => frames.push(update.frame()) };
}

const update = (user: string, version: number) => {
  const unknown = PresenceUpdate.unknown(user).message;
  return new PresenceUpdate({ ...unknown, view: { ...unknown.view, version: String(version) } });
};

describe('WatchHub', () => {
  it('delivers a change to every watcher of the user, serialised once', () => {
    const hub = new WatchHub();
    const a = recorder();
    const b = recorder();
    hub.add(a, ['bob']);
    hub.add(b, ['bob', 'eve']);
    hub.dispatch(update('bob', 3));
    expect(a.frames).toEqual(b.frames);
    expect(a.frames[0]).toBe(b.frames[0]);
    expect(JSON.parse(a.frames[0]!)).toEqual({
      type: 'presence.changed',
      user: 'bob',
      presence: 'offline',
      display: 'offline',
      online: false,
      devices: {},
      version: 3,
    });
  });

  it('forgets users nobody watches any more', () => {
    const hub = new WatchHub();
    const a = recorder();
    hub.add(a, ['bob']);
    expect(hub.has('bob')).toBe(true);
    hub.remove(a, ['bob']);
    hub.dispatch(update('bob', 1));
    expect(a.frames).toEqual([]);
    expect(hub.has('bob')).toBe(false);
    expect(hub.watchedUsers).toBe(0);
  });
});
