import { ValidationError } from './errors.js';

/**
 * Every id that reaches a subject or a table (users, devices, rooms, meetings, webhooks) matches
 * this pattern, so a subject token can never be forged with `.`, `*` or `>`.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Returns the id or throws a ValidationError naming the field (`invalid_<field>`). */
export function requireId(field: string, value: unknown): string {
  if (isValidId(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 140)) : typeof value;
  throw new ValidationError(
    `invalid_${field}`,
    `${field} must match ${ID_PATTERN.source} (1-128 letters, digits, '_' or '-'); got ${shown}`,
    field,
  );
}
