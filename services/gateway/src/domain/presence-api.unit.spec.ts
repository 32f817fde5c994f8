import { ValidationError } from '@presence/domain';
import { describe, expect, it } from 'vitest';
import { checkUserIds, decideCalendarBusy, type SetCalendarBusy } from './presence-api.js';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a refusal');
};

describe('checkUserIds', () => {
  it('de-duplicates in request order', () => {
    expect(checkUserIds(['b', 'a', 'b'], 3, { required: true })).toEqual(['b', 'a']);
    expect(checkUserIds([], 3, { required: false })).toEqual([]);
  });

  it('refuses more ids than the limit, an empty watch and an invalid id, naming user_ids', () => {
    expect(refusal(() => checkUserIds(['a', 'b', 'c', 'd'], 3, { required: false }))).toMatchObject(
      { code: 'too_many_user_ids', field: 'user_ids', message: expect.stringMatching(/at most 3/) },
    );
    expect(refusal(() => checkUserIds([], 3, { required: true }))).toMatchObject({
      code: 'invalid_user_ids',
      field: 'user_ids',
    });
    expect(refusal(() => checkUserIds(['ok', 'no.dots'], 3, { required: true }))).toMatchObject({
      code: 'invalid_user_id',
      field: 'user_ids',
      message: expect.stringMatching(/^user_ids\[1\]: "no.dots"/),
    });
  });
});

describe('decideCalendarBusy', () => {
  const now = Date.parse('2026-03-02T09:00:00Z');
  const command = (overrides: Partial<SetCalendarBusy> = {}): SetCalendarBusy => ({
    userId: 'alice',
    start: '2026-03-02T10:00:00.000Z',
    end: '2026-03-02T11:00:00.000Z',
    title: ' Planning ',
    calendarEventId: 'cal-1',
    nowMs: now,
    ...overrides,
  });

  it('returns the fact with the given id and a trimmed title', () => {
    expect(decideCalendarBusy(command())).toEqual({
      userId: 'alice',
      calendarEventId: 'cal-1',
      start: '2026-03-02T10:00:00.000Z',
      end: '2026-03-02T11:00:00.000Z',
      title: 'Planning',
    });
  });

  it('accepts an event that already started but has not ended', () => {
    expect(decideCalendarBusy(command({ start: '2026-03-02T08:00:00.000Z' }))).toMatchObject({
      calendarEventId: 'cal-1',
    });
  });

  it.each([
    ['an invalid user id', { userId: 'a.b' }, 'invalid_user_id', 'user_id'],
    ['no start', { start: undefined }, 'invalid_start', 'start'],
    ['no end', { end: undefined }, 'invalid_end', 'end'],
    ['end equal to start', { end: '2026-03-02T10:00:00.000Z' }, 'invalid_time_range', 'end'],
    ['end before start', { end: '2026-03-02T09:30:00.000Z' }, 'invalid_time_range', 'end'],
    [
      'an event that is over',
      { start: '2026-03-02T07:00:00.000Z', end: '2026-03-02T08:00:00.000Z' },
      'invalid_time_range',
      'end',
    ],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title_too_long', 'title'],
    ['control characters in the title', { title: 'a\nb' }, 'invalid_title', 'title'],
  ] as const)('refuses %s', (_name, overrides, code, field) => {
    expect(refusal(() => decideCalendarBusy(command(overrides)))).toMatchObject({ code, field });
  });

  it('allows a 200-character title', () => {
    expect(decideCalendarBusy(command({ title: 'é'.repeat(200) })).title).toHaveLength(200);
  });
});
