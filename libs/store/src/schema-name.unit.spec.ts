import { describe, expect, it } from 'vitest';
import { createDatabase } from './index.js';
import { requireSchemaName } from './schema-name.js';

describe('schema names', () => {
  it.each(['presence', '_x', 'rooms_2', 'a'.repeat(63)])('accepts %s', (schema) => {
    expect(requireSchemaName(schema)).toBe(schema);
  });

  it.each(['', 'Presence', '2rooms', 'a-b', 'a.b', 'a b', 'a'.repeat(64), 'x;drop'])(
    'refuses %j',
    (schema) => {
      expect(() => requireSchemaName(schema)).toThrowError(`got ${JSON.stringify(schema)}`);
    },
  );

  it('is checked before any connection is made', () => {
    expect(() =>
      createDatabase({ url: 'postgres://127.0.0.1:1/none', schema: 'Bad-Name' }),
    ).toThrowError('got "Bad-Name"');
  });
});
