/** Anything carrying its stream sequence (JetStream's stream sequence for our projections). */
export interface Sequenced {
  readonly seq: bigint;
}

/**
 * Checks that a batch is in strictly ascending `seq` order and returns the events after `position`
 * (a suffix, given the order). Events at or below `position` are redeliveries whose effects are
 * already stored. A repeated or falling sequence means the caller mixed up batches, and applying it
 * would move the checkpoint past events never written, so it throws naming the two sequences.
 */
export function freshEvents<E extends Sequenced>(
  events: readonly E[],
  position: bigint,
): readonly E[] {
  let previous: bigint | undefined;
  let firstFresh = events.length;
  events.forEach((event, index) => {
    if (previous !== undefined && event.seq <= previous) {
      throw new RangeError(
        `events must be in ascending seq order: seq ${event.seq} at index ${index} follows seq ${previous}`,
      );
    }
    previous = event.seq;
    if (firstFresh === events.length && event.seq > position) firstFresh = index;
  });
  return events.slice(firstFresh);
}
