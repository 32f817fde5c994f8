import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { normalizeCustomStatusName, normalizeStatusText } from './text.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ValidationError ? error.code : 'not a ValidationError';
  }
  return undefined;
}

describe('status text (RULES.md 3)', () => {
  it('trims leading and trailing white space', () => {
    expect(normalizeStatusText('  at lunch \n')).toBe('at lunch');
  });

  it('counts code points, so 120 emoji are allowed and 121 are refused', () => {
    expect(normalizeStatusText('🌴'.repeat(120))).toBe('🌴'.repeat(120));
    expect(codeOf(() => normalizeStatusText('🌴'.repeat(121)))).toBe('status_text_too_long');
  });

  it('refuses text over 120 characters instead of cutting it', () => {
    expect(codeOf(() => normalizeStatusText('x'.repeat(121)))).toBe('status_text_too_long');
  });

  it('refuses control characters inside the text', () => {
    expect(codeOf(() => normalizeStatusText('a\u0007b'))).toBe('invalid_status_text');
  });

  it('empty text is allowed (it clears)', () => {
    expect(normalizeStatusText('   ')).toBe('');
  });
});

describe('custom status names', () => {
  it('must not be empty', () => {
    expect(codeOf(() => normalizeCustomStatusName('  '))).toBe('invalid_name');
  });

  it('are limited to 120 code points', () => {
    expect(codeOf(() => normalizeCustomStatusName('n'.repeat(121)))).toBe('name_too_long');
  });
});
