import { ConflictError, NotFoundError, ValidationError } from '@presence/domain';
import { describe, expect, it } from 'vitest';
import { decideStatus } from './status-commands.js';
import type { StatusFrame } from './status-frames.js';
import { DEFAULT_WORKSPACE, type CustomStatusDef, type Workspace } from './workspace.js';

const customStatuses = new Map<string, CustomStatusDef>([
  ['cs-lunch', { id: 'cs-lunch', name: 'Lunch', presence: 'away' }],
  ['cs-focus', { id: 'cs-focus', name: 'Focus', presence: 'invisible' }],
]);
const workspace = (overrides: Partial<Workspace> = {}): Workspace => ({
  ...DEFAULT_WORKSPACE,
  customStatuses,
  version: 3n,
  ...overrides,
});
const locked = workspace({ allowInvisible: false, allowCustomStatusText: false });

/** given the workspace, when the command, then the fact (or the error). */
const decide = (command: StatusFrame, given = workspace()) => decideStatus(command, given, 'dev-1');
const refusal = (command: StatusFrame, given = workspace()) => {
  try {
    decide(command, given);
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
};

describe('decideStatus', () => {
  it('status.set appends manualStatusSet with the trimmed text and the device', () => {
    expect(decide({ type: 'status.set', presence: 'busy', text: '  in a call 📞 ' })).toEqual({
      kind: 'manualStatusSet',
      presence: 'busy',
      text: 'in a call 📞',
      deviceId: 'dev-1',
    });
  });

  it('status.set without text (or with blank text) clears it: no text in the fact', () => {
    expect(decide({ type: 'status.set', presence: 'online' })).toEqual({
      kind: 'manualStatusSet',
      presence: 'online',
      deviceId: 'dev-1',
    });
    expect(decide({ type: 'status.set', presence: 'away', text: '   ' }, locked)).toEqual({
      kind: 'manualStatusSet',
      presence: 'away',
      deviceId: 'dev-1',
    });
  });

  it('status.set invisible is refused with invisible_not_allowed when the admin disallowed it', () => {
    expect(decide({ type: 'status.set', presence: 'invisible' })).toMatchObject({
      presence: 'invisible',
    });
    const error = refusal({ type: 'status.set', presence: 'invisible' }, locked);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'invisible_not_allowed', field: 'presence' });
  });

  it('refuses non-empty text with status_text_not_allowed when the admin disallowed it', () => {
    for (const command of [
      { type: 'status.set', presence: 'busy', text: 'x' },
      { type: 'status.text', text: 'x' },
    ] as const) {
      const error = refusal(command, locked);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'status_text_not_allowed', field: 'text' });
    }
  });

  it.each([
    ['status_text_too_long', 'x'.repeat(121)],
    ['invalid_status_text', 'bell \u0007'],
  ])('refuses text with %s', (code, text) => {
    for (const command of [
      { type: 'status.set', presence: 'busy', text },
      { type: 'status.text', text },
    ] as const) {
      const error = refusal(command);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code, field: 'text' });
    }
  });

  it('counts code points, not UTF-16 units: 120 emoji are fine', () => {
    const text = '😀'.repeat(120);
    expect(decide({ type: 'status.text', text })).toMatchObject({ text });
  });

  it('status.custom appends customStatusSelected for a known status', () => {
    expect(decide({ type: 'status.custom', customStatusId: 'cs-lunch' }, locked)).toEqual({
      kind: 'customStatusSelected',
      customStatusId: 'cs-lunch',
    });
  });

  it('status.custom refuses an unknown id with custom_status_not_found', () => {
    const error = refusal({ type: 'status.custom', customStatusId: 'cs-nope' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'custom_status_not_found', field: 'custom_status_id' });
  });

  it('status.custom mapped to invisible is refused when invisible is disallowed', () => {
    expect(decide({ type: 'status.custom', customStatusId: 'cs-focus' })).toMatchObject({
      customStatusId: 'cs-focus',
    });
    expect(refusal({ type: 'status.custom', customStatusId: 'cs-focus' }, locked)).toMatchObject({
      code: 'invisible_not_allowed',
    });
  });

  it('status.text keeps the expiry, and drops it when the text is cleared', () => {
    expect(decide({ type: 'status.text', text: ' lunch ', clearAfterS: 3600 })).toEqual({
      kind: 'statusTextSet',
      text: 'lunch',
      clearAfterS: 3600,
    });
    expect(decide({ type: 'status.text', text: 'lunch' })).toMatchObject({ clearAfterS: 0 });
    expect(decide({ type: 'status.text', text: '', clearAfterS: 60 }, locked)).toEqual({
      kind: 'statusTextSet',
      text: '',
      clearAfterS: 0,
    });
  });

  it('preferences.set passes what was given', () => {
    expect(decide({ type: 'preferences.set', idleTimeoutS: 60 })).toEqual({
      kind: 'preferencesSet',
      idleTimeoutS: 60,
    });
    expect(decide({ type: 'preferences.set', shareAvailability: 'nobody' })).toEqual({
      kind: 'preferencesSet',
      shareAvailability: 'nobody',
    });
  });

  it('preferences.set refuses an idle timeout below the minimum, never raising it silently', () => {
    const error = refusal(
      { type: 'preferences.set', idleTimeoutS: 59, shareAvailability: 'nobody' },
      workspace(),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      code: 'idle_timeout_too_short',
      field: 'idle_timeout_s',
      message: expect.stringMatching(/59 s is below the minimum of 60 s/),
    });
    expect(
      refusal({ type: 'preferences.set', idleTimeoutS: 100 }, workspace({ minIdleTimeoutS: 120 })),
    ).toMatchObject({ code: 'idle_timeout_too_short' });
  });

  it('preferences.set with idle timeout 0 returns to the workspace default', () => {
    expect(decide({ type: 'preferences.set', idleTimeoutS: 0 })).toMatchObject({
      idleTimeoutS: 0,
    });
  });
});
