import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMALL_MAP_LIMIT, SmallMap } from './small-map.js';

describe('SmallMap', () => {
  it('gets, replaces, adds and deletes like a Map', () => {
    const map = new SmallMap<string, number>();
    map.addNew([
      ['a', 1],
      ['b', 2],
    ]);
    map.set('a', 3);
    map.set('c', 4);
    map.delete('b');
    map.delete('zz');
    expect(map.get('a')).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect(map.has('c')).toBe(true);
    expect(map.has('b')).toBe(false);
    expect(map.size).toBe(2);
    expect(map.keys()).toEqual(['a', 'c']);
  });

  it(`past ${SMALL_MAP_LIMIT} entries it keeps every entry (as a Map) and still deletes`, () => {
    const map = new SmallMap<number, number>();
    const many = Array.from({ length: SMALL_MAP_LIMIT + 5 }, (_, i) => [i, i * 10] as const);
    map.addNew(many.slice(0, 20));
    map.addNew(many.slice(20));
    expect(map.size).toBe(SMALL_MAP_LIMIT + 5);
    expect(map.get(0)).toBe(0);
    expect(map.get(SMALL_MAP_LIMIT + 4)).toBe((SMALL_MAP_LIMIT + 4) * 10);
    map.delete(3);
    map.set(4, -1);
    expect(map.has(3)).toBe(false);
    expect(map.get(4)).toBe(-1);
    expect(map.keys()).toHaveLength(SMALL_MAP_LIMIT + 4);
  });

  it('any sequence of operations leaves the same entries as a Map', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(60), value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(60) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const small = new SmallMap<number, number>();
        const map = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            small.set(o.key, o.value);
            map.set(o.key, o.value);
          } else {
            small.delete(o.key);
            map.delete(o.key);
          }
        }
        expect(small.size).toBe(map.size);
        expect(new Set(small.keys())).toEqual(new Set(map.keys()));
        for (const [key, value] of map) expect(small.get(key)).toBe(value);
      }),
    );
  });
});
