/**
 * Users by the time their next timer is due: a binary min-heap with lazy deletion (rescheduling a
 * user leaves the old entry in the heap; it is skipped when popped), so scheduling is O(log n) and
 * a tick costs only the due entries, however many users wait.
 */
export interface TimerQueue {
  /** Sets the user's next due time (ms since the epoch); null forgets the user. */
  schedule(userId: string, dueAt: number | null): void;
  /** Removes and returns the users due at or before `now`, earliest first. */
  takeDue(now: number): string[];
  readonly size: number;
}

export function createTimerQueue(): TimerQueue {
  const dueOf = new Map<string, number>();
  const heap: { dueAt: number; userId: string }[] = [];

  const less = (i: number, j: number) => heap[i]!.dueAt < heap[j]!.dueAt;
  const swap = (i: number, j: number) => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
  };
  function push(entry: { dueAt: number; userId: string }): void {
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  }
  function pop(): { dueAt: number; userId: string } {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && less(left, smallest)) smallest = left;
        if (right < heap.length && less(right, smallest)) smallest = right;
        if (smallest === i) break;
        swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  return {
    schedule(userId, dueAt) {
      if (dueAt === null) {
        dueOf.delete(userId);
        return;
      }
      if (dueOf.get(userId) === dueAt) return;
      dueOf.set(userId, dueAt);
      push({ dueAt, userId });
    },
    takeDue(now) {
      const due: string[] = [];
      while (heap.length > 0 && heap[0]!.dueAt <= now) {
        const { dueAt, userId } = pop();
        // A stale entry: the user was rescheduled or forgotten since.
        if (dueOf.get(userId) !== dueAt) continue;
        dueOf.delete(userId);
        due.push(userId);
      }
      return due;
    },
    get size() {
      return dueOf.size;
    },
  };
}
