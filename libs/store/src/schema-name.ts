/**
 * A schema name we are willing to splice into `search_path` and DDL: lower-case, unquoted-safe and
 * within PostgreSQL's 63-byte identifier limit, so the name in config is exactly the name in the
 * catalog (no case folding, no quoting surprises).
 */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Returns the schema name or throws an error naming the rejected value. */
export function requireSchemaName(schema: unknown): string {
  if (typeof schema === 'string' && SCHEMA_NAME_PATTERN.test(schema)) return schema;
  const shown = typeof schema === 'string' ? JSON.stringify(schema.slice(0, 80)) : typeof schema;
  throw new TypeError(
    `schema must match ${SCHEMA_NAME_PATTERN.source} (lower-case letters, digits, '_'; at most 63); got ${shown}`,
  );
}
