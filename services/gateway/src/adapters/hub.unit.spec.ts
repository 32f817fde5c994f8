import { describe, expect, it } from 'vitest';
import { textOfFrame } from '../testing/frames.js';
import { PresenceUpdate } from './wire.js';
import { WatchHub, type ReadLast, type Watcher } from './hub.js';

function recorder(): Watcher & { frames: Buffer[]; versions: number[] } {
  const frames: Buffer[] = [];
  const versions: number[] = [];
  return {
    frames,
    versions,
    deliver: (update) => {
      frames.push(update.changedFrame());
      versions.push(update.version);
    },
  };
}

/** A read of the stream that answers when told, counting calls. */
function pendingReads() {
  const calls: string[] = [];
  const waiting: Array<(value: PresenceUpdate | null) => void> = [];
  const read: ReadLast = (user) => {
    calls.push(user);
    return new Promise((resolve) => waiting.push(resolve));
  };
  return { read, calls, answer: (value: PresenceUpdate | null) => waiting.shift()!(value) };
}

const update = (user: string, version: number) => {
  const unknown = PresenceUpdate.unknown(user).message;
  return new PresenceUpdate({ ...unknown, view: { ...unknown.view, version: String(version) } });
};

describe('WatchHub', () => {
  it.each([3, 100])(
    'with %i watchers of a user: each gets a change once, however often added, until removed',
    (count) => {
      const hub = new WatchHub();
      const watchers = Array.from({ length: count }, recorder);
      for (const w of watchers) hub.add(w, ['bob', 'bob']);
      hub.add(watchers[0]!, ['bob']);
      hub.dispatch(update('bob', 1));
      for (const w of watchers.slice(1)) hub.remove(w, ['bob']);
      hub.dispatch(update('bob', 2));
      expect(watchers[0]!.versions).toEqual([1, 2]);
      expect(watchers.slice(1).every((w) => w.versions.join() === '1')).toBe(true);
      hub.remove(watchers[0]!, ['bob']);
      expect(hub.has('bob')).toBe(false);
    },
  );

  it('a watcher removed by another during a dispatch still gets that change, later ones not', () => {
    const hub = new WatchHub();
    const late = recorder();
    const remover: Watcher = { deliver: () => hub.remove(late, ['bob']) };
    hub.add(remover, ['bob']);
    hub.add(late, ['bob']);
    hub.dispatch(update('bob', 1));
    hub.dispatch(update('bob', 2));
    expect(late.versions).toEqual([1]);
  });

  it('delivers a change to every watcher of the user, serialised once', () => {
    const hub = new WatchHub();
    const a = recorder();
    const b = recorder();
    hub.add(a, ['bob']);
    hub.add(b, ['bob', 'eve']);
    hub.dispatch(update('bob', 3));
    expect(a.frames).toEqual(b.frames);
    expect(a.frames[0]).toBe(b.frames[0]);
    expect(JSON.parse(textOfFrame(a.frames[0]!))).toEqual({
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

  describe('last values for snapshots', () => {
    it('reads a watched user once, then serves the view it keeps, updated by changes', async () => {
      const hub = new WatchHub();
      const { read, calls, answer } = pendingReads();
      hub.add(recorder(), ['bob']);
      const first = hub.lastValue('bob', read);
      const second = hub.lastValue('bob', read);
      answer(update('bob', 4));
      expect((await first)?.version).toBe(4);
      expect((await second)?.version).toBe(4);
      hub.dispatch(update('bob', 7));
      expect((await hub.lastValue('bob', read))?.version).toBe(7);
      expect(calls).toEqual(['bob']);
    });

    it('never answers older than a change dispatched while the read was in flight', async () => {
      const hub = new WatchHub();
      const { read, answer } = pendingReads();
      hub.add(recorder(), ['bob']);
      const reading = hub.lastValue('bob', read);
      hub.dispatch(update('bob', 9));
      answer(update('bob', 8));
      expect((await reading)?.version).toBe(9);
      expect((await hub.lastValue('bob', read))?.version).toBe(9);
    });

    it('keeps "no view stored" too, until a view is dispatched', async () => {
      const hub = new WatchHub();
      const { read, calls, answer } = pendingReads();
      hub.add(recorder(), ['bob']);
      const reading = hub.lastValue('bob', read);
      answer(null);
      expect(await reading).toBeNull();
      expect(await hub.lastValue('bob', read)).toBeNull();
      hub.dispatch(update('bob', 2));
      expect((await hub.lastValue('bob', read))?.version).toBe(2);
      expect(calls).toHaveLength(1);
    });

    it('reads again a view older than the cache age, and every time for unwatched users', async () => {
      let now = 0;
      const hub = new WatchHub(1_000, () => now);
      const reads: string[] = [];
      const read: ReadLast = async (user) => {
        reads.push(user);
        return update(user, reads.length);
      };
      hub.add(recorder(), ['bob']);
      await hub.lastValue('bob', read);
      now = 1_000;
      expect((await hub.lastValue('bob', read))?.version).toBe(1);
      now = 1_001;
      expect((await hub.lastValue('bob', read))?.version).toBe(2);
      await hub.lastValue('eve', read);
      await hub.lastValue('eve', read);
      expect(reads).toEqual(['bob', 'bob', 'eve', 'eve']);
    });

    it('forgets the view with the last watcher, and a failed read is retried', async () => {
      const hub = new WatchHub();
      const a = recorder();
      let fail = true;
      const reads: string[] = [];
      const read: ReadLast = async (user) => {
        reads.push(user);
        if (fail) throw new Error('bus down');
        return update(user, 5);
      };
      hub.add(a, ['bob']);
      await expect(hub.lastValue('bob', read)).rejects.toThrowError('bus down');
      fail = false;
      expect((await hub.lastValue('bob', read))?.version).toBe(5);
      hub.remove(a, ['bob']);
      hub.add(a, ['bob']);
      await hub.lastValue('bob', read);
      expect(reads).toEqual(['bob', 'bob', 'bob']);
    });

    it('resync reads every watched user again and hands the views to their watchers', async () => {
      const hub = new WatchHub();
      const a = recorder();
      const b = recorder();
      hub.add(a, ['bob', 'eve']);
      hub.add(b, ['eve']);
      hub.dispatch(update('bob', 3));
      const stored: Record<string, number | null> = { bob: 6, eve: null };
      const reads: string[] = [];
      await hub.resync(async (user) => {
        reads.push(user);
        const version = stored[user];
        return version === null || version === undefined ? null : update(user, version);
      }, 1);
      expect(reads).toEqual(['bob', 'eve']);
      expect(a.versions).toEqual([3, 6]);
      expect(b.versions).toEqual([]);
      expect((await hub.lastValue('bob', () => Promise.reject(new Error('cached'))))?.version).toBe(
        6,
      );
    });
  });
});
