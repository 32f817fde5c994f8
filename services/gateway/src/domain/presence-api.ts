import { isValidId, requireId, ValidationError } from '@presence/domain';

/**
 * Input rules of the gRPC PresenceService that do not depend on the workspace. Errors are
 * `ValidationError`s naming the field (INVALID_ARGUMENT on the wire).
 */

/** Longest calendar event title, in code points. */
export const MAX_CALENDAR_TITLE = 200;

const CONTROL = /\p{Cc}/u;

/**
 * The user ids of a GetPresence or WatchPresence call, de-duplicated in request order. More than
 * `max` is refused rather than truncated, so a caller never mistakes a partial answer for a full one.
 */
export function checkUserIds(
  ids: readonly string[],
  max: number,
  options: { readonly required: boolean },
): string[] {
  if (options.required && ids.length === 0) {
    throw new ValidationError(
      'invalid_user_ids',
      'user_ids: at least one user id is required',
      'user_ids',
    );
  }
  if (ids.length > max) {
    throw new ValidationError(
      'too_many_user_ids',
      `user_ids: ${ids.length} ids; at most ${max} per call`,
      'user_ids',
    );
  }
  const bad = ids.findIndex((id) => !isValidId(id));
  if (bad !== -1) {
    throw new ValidationError(
      'invalid_user_id',
      `user_ids[${bad}]: ${JSON.stringify(ids[bad]!.slice(0, 140))} is not a valid user id ([A-Za-z0-9_-]{1,128})`,
      'user_ids',
    );
  }
  return [...new Set(ids)];
}

export interface SetCalendarBusy {
  readonly userId: string;
  /** ISO 8601 instants as decoded from the request; undefined when the field was not set. */
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly title: string;
  /** Fresh id of the calendar event (ids arrive in the command). */
  readonly calendarEventId: string;
  /** The current time, epoch milliseconds (time arrives in the command). */
  readonly nowMs: number;
}

export interface CalendarBusyFact {
  readonly userId: string;
  readonly calendarEventId: string;
  readonly start: string;
  readonly end: string;
  readonly title: string;
}

/** RULES.md 2.5: a busy calendar event of any calendar, checked before it reaches the log. */
export function decideCalendarBusy(command: SetCalendarBusy): CalendarBusyFact {
  const userId = requireId('user_id', command.userId);
  const start = instant('start', command.start);
  const end = instant('end', command.end);
  if (start >= end) {
    throw new ValidationError(
      'invalid_time_range',
      `end: ${command.end} must be after start ${command.start}`,
      'end',
    );
  }
  if (end <= command.nowMs) {
    throw new ValidationError('invalid_time_range', `end: ${command.end} is in the past`, 'end');
  }
  const title = command.title.trim();
  if (CONTROL.test(title)) {
    throw new ValidationError(
      'invalid_title',
      'title: control characters are not allowed',
      'title',
    );
  }
  const length = [...title].length;
  if (length > MAX_CALENDAR_TITLE) {
    throw new ValidationError(
      'title_too_long',
      `title: ${length} characters; at most ${MAX_CALENDAR_TITLE} are allowed`,
      'title',
    );
  }
  return {
    userId,
    calendarEventId: command.calendarEventId,
    start: command.start!,
    end: command.end!,
    title,
  };
}

function instant(field: string, value: string | undefined): number {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ValidationError(`invalid_${field}`, `${field}: a timestamp is required`, field);
  }
  return ms;
}
