import { ValidationError } from './errors.js';

/** RULES.md 3: status text and custom status names are at most this many code points. */
export const MAX_STATUS_TEXT_CODE_POINTS = 120;

// Control characters (C0, DEL, C1) would corrupt logs and terminals; everything else, emoji
// included, is text.
const CONTROL = /\p{Cc}/u;

/**
 * Trims and checks a status text: at most 120 code points, no control characters. Never cuts:
 * longer text is refused with `status_text_too_long` (RULES.md 3). Empty means "clear".
 */
export function normalizeStatusText(text: string, field = 'text'): string {
  return normalizeText(text, field, 'status_text_too_long', 'invalid_status_text');
}

/** A custom status name: the status text rules, and at least one character. */
export function normalizeCustomStatusName(name: string, field = 'name'): string {
  const normalized = normalizeText(name, field, 'name_too_long', 'invalid_name');
  if (normalized === '') {
    throw new ValidationError('invalid_name', `${field}: must not be empty`, field);
  }
  return normalized;
}

function normalizeText(text: string, field: string, tooLong: string, invalid: string): string {
  const trimmed = text.trim();
  if (CONTROL.test(trimmed)) {
    throw new ValidationError(invalid, `${field}: control characters are not allowed`, field);
  }
  const length = codePoints(trimmed);
  if (length > MAX_STATUS_TEXT_CODE_POINTS) {
    throw new ValidationError(
      tooLong,
      `${field}: ${length} characters; at most ${MAX_STATUS_TEXT_CODE_POINTS} are allowed`,
      field,
    );
  }
  return trimmed;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
