/**
 * The partition of a user: FNV-1a (32-bit) of the id's UTF-8 bytes, mod `partitions`.
 * It decides the device subject and therefore which aggregator replica owns the user, so it must
 * never change for a deployment: every producer and consumer uses this one function.
 */
export function partitionOf(userId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(userId)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
