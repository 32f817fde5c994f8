import { encodeValue, isPgColumnType, type PgColumns } from './column-encoding.js';

/** A batch turned column-wise: one array of encoded values per column, all of one length. */
export interface ColumnarRows {
  readonly names: readonly string[];
  readonly values: readonly (readonly (string | null)[])[];
  readonly count: number;
}

/**
 * Encodes rows column by column. With `dedupeKey`, rows sharing a key keep only the last one (in the
 * position of the first), because `INSERT ... ON CONFLICT DO UPDATE` refuses to touch a row twice in
 * one statement. Keys compare by their encoded text, so `1`, `1n` and `'1'` in a bigint key collide,
 * as they would in the table.
 */
export function toColumnar(
  columns: PgColumns,
  rows: readonly Readonly<Record<string, unknown>>[],
  dedupeKey?: readonly string[],
): ColumnarRows {
  const names = Object.keys(columns);
  if (names.length === 0) throw new TypeError('columns must name at least one column');
  for (const name of names) {
    if (!isPgColumnType(columns[name]))
      throw new TypeError(`column ${name}: unsupported type ${String(columns[name])}`);
  }
  const keyIndexes = (dedupeKey ?? []).map((key) => {
    const index = names.indexOf(key);
    if (index < 0)
      throw new TypeError(`key column ${key} is not among the columns (${names.join(', ')})`);
    return index;
  });

  const encodedRows: (string | null)[][] = [];
  const slotByKey = new Map<string, number>();
  rows.forEach((row, rowIndex) => {
    const encoded = names.map((name) => {
      const type = columns[name];
      if (type === undefined) throw new TypeError(`column ${name} has no type`);
      try {
        return encodeValue(name, type, row[name]);
      } catch (error) {
        throw new TypeError(
          `row ${rowIndex}: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
    });
    if (keyIndexes.length === 0) {
      encodedRows.push(encoded);
      return;
    }
    // NUL cannot occur in PostgreSQL text, so it separates key parts unambiguously; SQL NULL keys get
    // a marker that no encoded text can equal.
    const key = keyIndexes.map((index) => encoded[index] ?? '\u0000NULL').join('\u0000');
    const slot = slotByKey.get(key);
    if (slot === undefined) {
      slotByKey.set(key, encodedRows.length);
      encodedRows.push(encoded);
    } else {
      encodedRows[slot] = encoded;
    }
  });

  const values = names.map((_, column) => encodedRows.map((row) => row[column] ?? null));
  return { names, values, count: encodedRows.length };
}
