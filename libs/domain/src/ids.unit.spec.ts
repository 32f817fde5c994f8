import { describe, expect, it } from 'vitest';
import { isValidId, requireId, ValidationError } from './index.js';

describe('ids', () => {
  it('accepts letters, digits, underscore and dash up to 128 characters', () => {
    expect(isValidId('alice_01-B')).toBe(true);
    expect(isValidId('a'.repeat(128))).toBe(true);
  });

  it.each(['', 'a'.repeat(129), 'a.b', 'a*', 'a>', 'al ice', 'é', 42, null])(
    'refuses %j, which could break or forge a subject',
    (value) => {
      expect(isValidId(value)).toBe(false);
    },
  );

  it('names the field in the error', () => {
    expect(() => requireId('user_id', 'a.b')).toThrowError(ValidationError);
    try {
      requireId('user_id', 'a.b');
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_user_id', field: 'user_id' });
      expect((error as Error).message).toContain('"a.b"');
    }
  });
});
