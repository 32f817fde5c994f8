/**
 * The SQL types `upsertRows` and `deleteRows` can send. Every value travels as text inside one
 * array parameter per column and PostgreSQL parses it with the column's type, so a whole batch is
 * one statement with a fixed number of parameters.
 */
export type PgColumnType =
  'text' | 'bigint' | 'integer' | 'boolean' | 'jsonb' | 'timestamptz' | 'text[]';

/** Column name -> SQL type, in the order columns are written. */
export type PgColumns = Readonly<Record<string, PgColumnType>>;

const encoders: Readonly<Record<PgColumnType, (value: unknown) => string | undefined>> = {
  text: (value) => (typeof value === 'string' ? value : undefined),
  bigint: (value) =>
    typeof value === 'bigint' ||
    (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && /^-?\d+$/.test(value))
      ? String(value)
      : undefined,
  integer: (value) =>
    (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint'
      ? String(value)
      : undefined,
  boolean: (value) => (typeof value === 'boolean' ? String(value) : undefined),
  // Stringified here, so a JSON array is never mistaken by pg for a nested SQL array.
  jsonb: (value) => JSON.stringify(value),
  timestamptz: (value) => {
    if (value instanceof Date)
      return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
    return typeof value === 'string' ? value : undefined;
  },
  // unnest() would flatten a two-dimensional array, so each text[] value goes as its array literal.
  'text[]': (value) =>
    Array.isArray(value) && value.every((item) => item === null || typeof item === 'string')
      ? arrayLiteral(value as readonly (string | null)[])
      : undefined,
};

/** PostgreSQL array literal: every element double-quoted, so commas, braces and "NULL" stay text. */
export function arrayLiteral(items: readonly (string | null)[]): string {
  const quoted = items.map((item) =>
    item === null ? 'NULL' : `"${item.replace(/[\\"]/g, '\\$&')}"`,
  );
  return `{${quoted.join(',')}}`;
}

export function isPgColumnType(value: unknown): value is PgColumnType {
  return typeof value === 'string' && Object.hasOwn(encoders, value);
}

/**
 * Encodes one value as the text PostgreSQL parses for its column type. `null` is SQL NULL (also in
 * jsonb columns, so JSON `null` cannot be stored this way); `undefined` is refused because a missing
 * property is almost always a misspelt column.
 */
export function encodeValue(column: string, type: PgColumnType, value: unknown): string | null {
  if (value === null) return null;
  let encoded: string | undefined;
  try {
    encoded = value === undefined ? undefined : encoders[type](value);
  } catch (error) {
    throw new TypeError(`column ${column} (${type}): cannot encode value: ${String(error)}`, {
      cause: error,
    });
  }
  if (encoded === undefined) {
    const shown =
      value === undefined ? 'undefined (missing property; use null for NULL)' : describe(value);
    throw new TypeError(`column ${column} (${type}): unsupported value ${shown}`);
  }
  return encoded;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return typeof value;
  }
}
