import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { requireIdleTimeout } from './workspace-settings.js';

describe('idle timeout minimum (RULES.md 1)', () => {
  it('accepts the minimum itself', () => {
    expect(() => requireIdleTimeout(60, 60, 'idle_timeout_s')).not.toThrow();
  });

  it.each([59, 0.5])('refuses %s, naming the field, never raising it', (seconds) => {
    let error: unknown;
    try {
      requireIdleTimeout(seconds, 60, 'idle_timeout_s');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'idle_timeout_too_short', field: 'idle_timeout_s' });
  });
});
