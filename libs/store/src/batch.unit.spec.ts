import { describe, expect, it } from 'vitest';
import { freshEvents } from './index.js';

const events = (...seqs: bigint[]) => seqs.map((seq) => ({ seq, id: `e${seq}` }));

describe('freshEvents', () => {
  it('keeps the events after the checkpoint', () => {
    expect(freshEvents(events(3n, 4n, 5n, 6n), 4n)).toEqual(events(5n, 6n));
  });

  it('keeps everything from an empty checkpoint and nothing from a redelivered batch', () => {
    expect(freshEvents(events(1n, 2n), 0n)).toEqual(events(1n, 2n));
    expect(freshEvents(events(1n, 2n), 2n)).toEqual([]);
    expect(freshEvents([], 7n)).toEqual([]);
  });

  it('accepts gaps: filtered consumers see sparse stream sequences', () => {
    expect(freshEvents(events(10n, 20n, 35n), 15n)).toEqual(events(20n, 35n));
  });

  it.each([
    ['a falling seq', [2n, 1n], 'seq 1 at index 1 follows seq 2'],
    ['a repeated seq', [1n, 3n, 3n], 'seq 3 at index 2 follows seq 3'],
  ])('refuses %s, naming the sequences', (_case, seqs, message) => {
    expect(() => freshEvents(events(...seqs), 0n)).toThrowError(message);
  });

  it('checks the order of skipped events too', () => {
    expect(() => freshEvents(events(2n, 1n, 5n), 3n)).toThrowError(RangeError);
  });
});
