/**
 * A map that costs little while it is small: two arrays of exactly its size, searched linearly,
 * until it grows past `SMALL_MAP_LIMIT` entries, then a `Map`. A gateway keeps one per connection
 * (its watched users, typically tens) and memory per connection is a target: a `Map` of 10
 * entries takes ~520 bytes, the two arrays ~260 (measured with heap snapshots).
 */
export const SMALL_MAP_LIMIT = 32;

export class SmallMap<K, V> {
  private keyList: K[] = [];
  private valueList: V[] = [];
  private map: Map<K, V> | undefined;

  get size(): number {
    return this.map ? this.map.size : this.keyList.length;
  }

  get(key: K): V | undefined {
    if (this.map) return this.map.get(key);
    const i = this.keyList.indexOf(key);
    return i < 0 ? undefined : this.valueList[i];
  }

  has(key: K): boolean {
    return this.map ? this.map.has(key) : this.keyList.includes(key);
  }

  /** Replaces the value of a key or adds it. */
  set(key: K, value: V): void {
    if (!this.map) {
      const i = this.keyList.indexOf(key);
      if (i >= 0) {
        this.valueList[i] = value;
        return;
      }
    }
    this.addNew([[key, value]]);
  }

  /** Adds keys known to be absent, in one step (the arrays are copied once, to their new size). */
  addNew(entries: readonly (readonly [K, V])[]): void {
    if (entries.length === 0) return;
    if (!this.map && this.keyList.length + entries.length <= SMALL_MAP_LIMIT) {
      // concat allocates exactly the length; a spread or push leaves room to grow (~2x here).
      this.keyList = this.keyList.concat(entries.map(([key]) => key));
      this.valueList = this.valueList.concat(entries.map(([, value]) => value));
      return;
    }
    this.map ??= new Map(this.keyList.map((key, i) => [key, this.valueList[i]!]));
    this.keyList = [];
    this.valueList = [];
    for (const [key, value] of entries) this.map.set(key, value);
  }

  delete(key: K): void {
    if (this.map) {
      this.map.delete(key);
      return;
    }
    const i = this.keyList.indexOf(key);
    if (i < 0) return;
    this.keyList = without(this.keyList, i);
    this.valueList = without(this.valueList, i);
  }

  keys(): K[] {
    return this.map ? [...this.map.keys()] : [...this.keyList];
  }
}

/** A copy without the element at `i`, of exactly its length (see `addNew`). */
export function without<T>(list: readonly T[], i: number): T[] {
  return list.slice(0, i).concat(list.slice(i + 1));
}
