import { describe, expect, it } from 'vitest';
import { OwnFeed, pickOwnSnapshot, supersedes } from './own-feed.js';

const v = (version: number, tag = '') => ({ user: 'me', version, tag });

describe('supersedes (the merge rule)', () => {
  it.each([
    [undefined, 1, 'public', true],
    [undefined, 1, 'own', true],
    [{ version: 5, source: 'public' }, 6, 'public', true],
    [{ version: 5, source: 'own' }, 6, 'public', true],
    [{ version: 5, source: 'public' }, 5, 'public', false],
    [{ version: 5, source: 'own' }, 5, 'public', false],
    [{ version: 5, source: 'public' }, 5, 'own', true],
    [{ version: 5, source: 'own' }, 5, 'own', false],
    [{ version: 5, source: 'public' }, 4, 'own', false],
    [{ version: 5, source: 'own' }, 4, 'public', false],
  ] as const)('last %j, %s from %s -> %s', (last, version, source, expected) => {
    expect(supersedes(last, version, source)).toBe(expected);
  });
});

describe('pickOwnSnapshot', () => {
  it('takes the higher version, the own view on a tie, the public view when there is no own view', () => {
    expect(pickOwnSnapshot(v(4, 'p'), v(3, 'o'))).toEqual({ view: v(4, 'p'), source: 'public' });
    expect(pickOwnSnapshot(v(4, 'p'), v(4, 'o'))).toEqual({ view: v(4, 'o'), source: 'own' });
    expect(pickOwnSnapshot(v(4, 'p'), v(7, 'o'))).toEqual({ view: v(7, 'o'), source: 'own' });
    expect(pickOwnSnapshot(v(4, 'p'), null)).toEqual({ view: v(4, 'p'), source: 'public' });
  });
});

describe('OwnFeed', () => {
  it('given an invisible user, the own view wins whichever of the pair arrives first', () => {
    const feed = new OwnFeed<ReturnType<typeof v>>();
    expect(feed.onSnapshot(v(1, 'p'), null).self).toEqual(v(1, 'p'));
    // Public first: shown, then corrected by the own view of the same event.
    expect(feed.onChange(v(2, 'offline'), 'public')).toEqual([
      { kind: 'change', view: v(2, 'offline') },
    ]);
    expect(feed.onChange(v(2, 'invisible'), 'own')).toEqual([
      { kind: 'change', view: v(2, 'invisible') },
    ]);
    // Own first: the public view of the same event is not sent over it.
    expect(feed.onChange(v(3, 'invisible'), 'own')).toEqual([
      { kind: 'change', view: v(3, 'invisible') },
    ]);
    expect(feed.onChange(v(3, 'offline'), 'public')).toEqual([]);
    expect(feed.onChange(v(3, 'invisible again'), 'own')).toEqual([]);
  });

  it('greets with the newer of the two last values and sends it as the snapshot', () => {
    const feed = new OwnFeed<ReturnType<typeof v>>();
    const { self, out } = feed.onSnapshot(v(8, 'p'), v(8, 'o'));
    expect(self).toEqual(v(8, 'o'));
    expect(out).toEqual([{ kind: 'snapshot', view: v(8, 'o') }]);
    expect(feed.onChange(v(8, 'p'), 'public')).toEqual([]);
    expect(feed.onChange(v(9, 'p'), 'public')).toEqual([{ kind: 'change', view: v(9, 'p') }]);
  });

  it('holds views that arrive before the snapshot and replays the newer ones by the rule', () => {
    const feed = new OwnFeed<ReturnType<typeof v>>();
    expect(feed.onChange(v(6, 'o6'), 'own')).toEqual([]);
    expect(feed.onChange(v(6, 'p6'), 'public')).toEqual([]);
    expect(feed.onChange(v(4, 'p4'), 'public')).toEqual([]);
    expect(feed.onChange(v(5, 'p5'), 'public')).toEqual([]);
    const { self, out } = feed.onSnapshot(v(4, 'p4'), null);
    expect(self).toEqual(v(4, 'p4'));
    expect(out).toEqual([
      { kind: 'snapshot', view: v(4, 'p4') },
      { kind: 'change', view: v(5, 'p5') },
      { kind: 'change', view: v(6, 'p6') },
      { kind: 'change', view: v(6, 'o6') },
    ]);
  });
});
