import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '@presence/domain';
import {
  after,
  connect,
  manual,
  scenario,
  settingsChanged,
  statusText,
} from '../testing/scenario.js';
import { timersOf } from './timers.js';
import {
  INITIAL_WORKSPACE,
  decideCapSwitch,
  decideCreateCustomStatus,
  decideSettings,
  decideUpdateCustomStatus,
  type CustomStatus,
  type Workspace,
} from './workspace.js';

const defined = (revision: number, status: CustomStatus) => ({
  type: 'CustomStatusDefined' as const,
  status,
  revision,
});
const select = (customStatusId: string) => ({
  type: 'CustomStatusSelected' as const,
  customStatusId,
});
const lunch: CustomStatus = { id: 'cs1', name: 'At lunch', presence: 'away' };

describe('RULES.md 3: status text', () => {
  it('is independent of presence and persists across reconnects', () => {
    const s = scenario().apply(connect('d1'), statusText('on call'), manual('busy', 'on call'));
    expect(s.view()).toMatchObject({ presence: 'busy', statusText: 'on call' });
  });

  it('a built-in choice clears it', () => {
    const s = scenario().apply(connect('d1'), statusText('on call'), manual('away'));
    expect(s.view().statusText).toBeNull();
  });

  it('empty text clears it', () => {
    const s = scenario().apply(connect('d1'), statusText('on call'), statusText(''));
    expect(s.view().statusText).toBeNull();
  });

  it('is omitted while offline', () => {
    const s = scenario().apply(statusText('on call'));
    expect(s.view()).toMatchObject({ presence: 'offline', statusText: null });
  });

  it('clears itself after clear_after_s (timer fact), unless it was replaced', () => {
    const s = scenario().apply(after(0, connect('d1')), after(10, statusText('brb', 60)));
    const timer = timersOf(s.record().state, INITIAL_WORKSPACE.settings).find(
      (t) => t.fact.type === 'StatusTextExpired',
    );
    expect(timer?.dueAt).toBe(Date.parse('2026-11-22T10:01:10Z'));
    s.apply(after(70, { type: 'StatusTextExpired', setSeq: 2 }));
    expect(s.view().statusText).toBeNull();

    const replaced = scenario().apply(
      after(0, connect('d1')),
      after(10, statusText('brb', 60)),
      after(20, statusText('in a call')),
      after(70, { type: 'StatusTextExpired', setSeq: 2 }),
    );
    expect(replaced.view().statusText).toBe('in a call');
  });
});

describe('RULES.md 3: custom statuses', () => {
  it('selecting one sets the mapped presence and its name as text', () => {
    const s = scenario().apply(defined(1, lunch), connect('d1'), select('cs1'));
    expect(s.view()).toMatchObject({ presence: 'away', statusText: 'At lunch' });
  });

  it('one mapped to offline makes the user invisible', () => {
    const s = scenario().apply(
      defined(1, { id: 'cs2', name: 'Focus', presence: 'invisible' }),
      connect('d1'),
      select('cs2'),
    );
    expect(s.view().presence).toBe('offline');
    expect(s.own()).toMatchObject({ presence: 'invisible', statusText: 'Focus' });
  });

  it('editing it updates every holder (name and presence)', () => {
    const s = scenario().apply(defined(1, lunch), connect('d1'), select('cs1'));
    s.apply(connect('d2', 'desktop', { gateway: 'gw-1' }));
    s.apply(defined(2, { ...lunch, name: 'Lunch break', presence: 'busy' }));
    expect(s.view()).toMatchObject({ presence: 'busy', statusText: 'Lunch break' });
  });

  it('deleting it clears it for holders: automatic presence, no text', () => {
    const s = scenario().apply(defined(1, lunch), connect('d1'), select('cs1'));
    s.apply({ type: 'CustomStatusDeleted', customStatusId: 'cs1', revision: 2 });
    expect(s.view()).toMatchObject({ presence: 'online', statusText: null });
  });

  it('a user who set their own text no longer holds it', () => {
    const s = scenario().apply(defined(1, lunch), connect('d1'), select('cs1'), statusText('mine'));
    s.apply({ type: 'CustomStatusDeleted', customStatusId: 'cs1', revision: 2 });
    expect(s.view()).toMatchObject({ presence: 'away', statusText: 'mine' });
  });

  it('selecting an unknown or deleted one changes nothing', () => {
    const s = scenario().apply(connect('d1'), select('nope'));
    expect(s.view()).toMatchObject({ presence: 'online', statusText: null });
  });

  it('a workspace fact out of revision order is ignored (copies appended twice are harmless)', () => {
    const s = scenario().apply(defined(2, lunch), connect('d1'), select('cs1'));
    expect(s.view().statusText).toBeNull();
    expect(s.state().workspace.revision).toBe(0);
  });
});

describe('admin decisions', () => {
  const limits = { minIdleTimeoutS: 60 };
  const withStatus: Workspace = {
    ...INITIAL_WORKSPACE,
    customStatuses: { cs1: lunch },
  };
  const errorOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('custom status names are unique ignoring case', () => {
    const error = errorOf(() =>
      decideCreateCustomStatus(withStatus, { id: 'cs2', name: ' at LUNCH ', presence: 'busy' }),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('custom_status_exists');
  });

  it('custom status names are 1-120 characters', () => {
    const error = errorOf(() =>
      decideCreateCustomStatus(INITIAL_WORKSPACE, {
        id: 'x',
        name: 'n'.repeat(121),
        presence: 'busy',
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
  });

  it('updating an unknown custom status is NOT_FOUND; renaming to itself is fine', () => {
    expect(errorOf(() => decideUpdateCustomStatus(withStatus, { id: 'zz' }))).toBeInstanceOf(
      NotFoundError,
    );
    expect(decideUpdateCustomStatus(withStatus, { id: 'cs1', name: 'AT LUNCH' }).name).toBe(
      'AT LUNCH',
    );
  });

  it('an idle timeout below the minimum is refused, never raised', () => {
    const error = errorOf(() =>
      decideSettings(INITIAL_WORKSPACE, { idleTimeoutS: 59 }, { limits, connections: 0 }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('idle_timeout_too_short');
    expect(
      decideSettings(INITIAL_WORKSPACE, { idleTimeoutS: 60 }, { limits, connections: 0 })
        .idleTimeoutS,
    ).toBe(60);
  });

  it('auto re-enable must sit below the cap', () => {
    const error = errorOf(() =>
      decideSettings(
        INITIAL_WORKSPACE,
        { maxConnections: 100, autoReenableBelow: 100 },
        { limits, connections: 0 },
      ),
    );
    expect((error as ValidationError).field).toBe('auto_reenable_below');
  });
});

describe('RULES.md 4: presence switch and cap', () => {
  const capped = (enabled: boolean, disabledBy: 'admin' | 'cap' | null = null): Workspace => ({
    ...INITIAL_WORKSPACE,
    settings: {
      ...INITIAL_WORKSPACE.settings,
      maxConnections: 200,
      autoReenableBelow: 150,
      presenceEnabled: enabled,
    },
    disabledBy,
  });

  it('the cap switches presence off above the count, not at it', () => {
    expect(decideCapSwitch(capped(true), 200)).toBeNull();
    expect(decideCapSwitch(capped(true), 201)).toBe(false);
  });

  it('re-enabling is refused while the count is above the cap', () => {
    const error = (() => {
      try {
        decideSettings(
          capped(false, 'cap'),
          { presenceEnabled: true },
          {
            limits: { minIdleTimeoutS: 60 },
            connections: 201,
          },
        );
      } catch (e) {
        return e as ConflictError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('over_connection_cap');
  });

  it('auto re-enable happens at the hysteresis mark, only when the cap switched it off', () => {
    expect(decideCapSwitch(capped(false, 'cap'), 151)).toBeNull();
    expect(decideCapSwitch(capped(false, 'cap'), 150)).toBe(true);
    expect(decideCapSwitch(capped(false, 'admin'), 10)).toBeNull();
  });

  it('while off, changes are recorded but not published; back on, the current views are', () => {
    const s = scenario().apply(
      connect('d1'),
      settingsChanged(1, { presenceEnabled: false }, undefined, 'cap'),
    );
    s.apply(manual('busy'), connect('d1', 'desktop', { session: 'x', gateway: 'g' }));
    expect(
      s
        .changes()
        .slice(1)
        .every((c) => !c.published),
    ).toBe(true);
    expect(s.state().workspace.disabledBy).toBe('cap');
    s.apply(settingsChanged(2, { presenceEnabled: true }));
    const last = s.changes().at(-1)!;
    expect(last).toMatchObject({ published: true, view: { presence: 'busy' }, version: 3 });
  });
});
