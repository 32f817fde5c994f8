import { describe, expect, it } from 'vitest';
import { createTimerQueue } from './timer-queue.js';

describe('timer queue', () => {
  it('returns due users earliest first and keeps the rest', () => {
    const queue = createTimerQueue();
    queue.schedule('c', 30);
    queue.schedule('a', 10);
    queue.schedule('b', 20);
    expect(queue.takeDue(20)).toEqual(['a', 'b']);
    expect(queue.takeDue(25)).toEqual([]);
    expect(queue.takeDue(30)).toEqual(['c']);
    expect(queue.size).toBe(0);
  });

  it('a rescheduled user is due only at the new time', () => {
    const queue = createTimerQueue();
    queue.schedule('a', 10);
    queue.schedule('a', 50);
    expect(queue.takeDue(40)).toEqual([]);
    expect(queue.takeDue(50)).toEqual(['a']);
  });

  it('a forgotten user is never due', () => {
    const queue = createTimerQueue();
    queue.schedule('a', 10);
    queue.schedule('a', null);
    expect(queue.takeDue(100)).toEqual([]);
  });

  it('orders many random times', () => {
    const queue = createTimerQueue();
    const times = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    times.forEach((time, i) => queue.schedule(`u${i}`, time));
    const due = queue.takeDue(1000);
    expect(due).toHaveLength(500);
    const dueTimes = due.map((user) => times[Number(user.slice(1))]!);
    expect(dueTimes).toEqual([...dueTimes].sort((a, b) => a - b));
  });
});
