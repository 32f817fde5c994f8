import { describe, expect, it } from 'vitest';
import { arrayLiteral, type PgColumns } from './column-encoding.js';
import { toColumnar } from './columnar.js';

describe('toColumnar', () => {
  const columns = {
    id: 'text',
    n: 'bigint',
    doc: 'jsonb',
    tags: 'text[]',
    at: 'timestamptz',
    ok: 'boolean',
  } as const;

  it('encodes every type as the text PostgreSQL parses', () => {
    const batch = toColumnar(columns, [
      {
        id: 'a',
        n: 12n,
        doc: [1, { b: 'x' }],
        tags: ['x', 'y,z'],
        at: new Date(Date.UTC(2026, 10, 22)),
        ok: true,
      },
    ]);
    expect(batch.names).toEqual(['id', 'n', 'doc', 'tags', 'at', 'ok']);
    expect(batch.values).toEqual([
      ['a'],
      ['12'],
      ['[1,{"b":"x"}]'],
      ['{"x","y,z"}'],
      ['2026-11-22T00:00:00.000Z'],
      ['true'],
    ]);
  });

  it('keeps null as SQL NULL and refuses a missing property', () => {
    const row = { id: 'a', n: null, doc: null, tags: null, at: null, ok: null };
    expect(toColumnar(columns, [row]).values.slice(1)).toEqual([
      [null],
      [null],
      [null],
      [null],
      [null],
    ]);
    expect(() => toColumnar(columns, [{ ...row, ok: undefined }])).toThrowError(
      'row 0: column ok (boolean): unsupported value undefined (missing property; use null for NULL)',
    );
  });

  it.each([
    ['id', 42],
    ['n', 1.5],
    ['n', '12a'],
    ['ok', 'yes'],
    ['at', new Date(Number.NaN)],
    ['tags', [1]],
    ['doc', 10n],
  ])('refuses %s = %s, naming the column', (column, value) => {
    const row = {
      id: 'a',
      n: 1,
      doc: {},
      tags: [],
      at: '2026-11-22T00:00:00Z',
      ok: false,
      [column]: value,
    };
    expect(() => toColumnar(columns, [row])).toThrowError(`column ${column}`);
  });

  it('keeps the last of rows sharing a key, in the place of the first', () => {
    const batch = toColumnar(
      { room: 'text', user: 'bigint', v: 'integer' },
      [
        { room: 'r', user: 1n, v: 1 },
        { room: 'r', user: 2, v: 2 },
        { room: 'r', user: '1', v: 3 },
        { room: 's', user: 1n, v: 4 },
      ],
      ['room', 'user'],
    );
    expect(batch.count).toBe(3);
    expect(batch.values).toEqual([
      ['r', 'r', 's'],
      ['1', '2', '1'],
      ['3', '2', '4'],
    ]);
  });

  it('refuses a key outside the columns and an unknown type', () => {
    expect(() => toColumnar({ id: 'text' }, [], ['ids'])).toThrowError(
      'key column ids is not among the columns (id)',
    );
    // As a JavaScript caller could pass it.
    const untyped = { id: 'varchar' } as unknown as PgColumns;
    expect(() => toColumnar(untyped, [])).toThrowError('column id: unsupported type varchar');
  });
});

describe('arrayLiteral', () => {
  it('quotes every element so commas, braces, quotes and "NULL" stay text', () => {
    expect(arrayLiteral(['a,b', '{c}', 'say "hi"', 'back\\slash', 'NULL', null, ''])).toBe(
      '{"a,b","{c}","say \\"hi\\"","back\\\\slash","NULL",NULL,""}',
    );
  });
});
