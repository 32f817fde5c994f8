import { describe, expect, it } from 'vitest';
import {
  activity,
  after,
  at,
  connect,
  dropped,
  goodbye,
  idleTimedOut,
  manual,
  scenario,
  settingsChanged,
  statusText,
  system,
} from '../testing/scenario.js';
import { timersOf } from './timers.js';
import { INITIAL_WORKSPACE } from './workspace.js';

describe('RULES.md 2.1: the best device state wins', () => {
  it('desktop idle and mobile online: online, shown as mobile', () => {
    const s = scenario().apply(connect('d1'), connect('m1', 'mobile'), idleTimedOut('d1', 1));
    expect(s.view()).toMatchObject({
      presence: 'online',
      display: 'mobile',
      devices: { desktop: 'away', mobile: 'online' },
    });
  });

  it('desktop online and mobile online: available', () => {
    const s = scenario().apply(connect('d1'), connect('m1', 'mobile'));
    expect(s.view().display).toBe('available');
  });

  it('every device away: away (idle)', () => {
    const s = scenario().apply(
      connect('d1'),
      connect('w1', 'web'),
      idleTimedOut('d1', 1),
      idleTimedOut('w1', 2),
    );
    expect(s.view()).toMatchObject({ presence: 'away', display: 'idle' });
  });

  it('two devices on one platform show the better of the two', () => {
    const s = scenario().apply(connect('d1'), connect('d2'), system('d1', 'locked'));
    expect(s.view().devices).toEqual({ desktop: 'online' });
  });

  it('no device: offline', () => {
    const s = scenario().apply(connect('d1'), connect('d2'), goodbye('d1'), goodbye('d2'));
    expect(s.view()).toMatchObject({ presence: 'offline', online: false, devices: {} });
  });
});

describe('RULES.md 2.2-2.4: manual status', () => {
  it.each(['busy', 'away'] as const)('a manual %s shows regardless of device states', (choice) => {
    const s = scenario().apply(connect('d1'), manual(choice));
    expect(s.view()).toMatchObject({
      presence: choice,
      display: choice === 'busy' ? 'busy' : 'idle',
      online: true,
      devices: { desktop: 'online' },
    });
  });

  it('counts a device in its reconnect grace as connected', () => {
    const s = scenario().apply(connect('d1'), manual('busy'), dropped('d1'));
    expect(s.view().presence).toBe('busy');
  });

  it('with no device connected the user is offline, and busy again on reconnect', () => {
    const s = scenario().apply(connect('d1'), manual('busy'), goodbye('d1'));
    expect(s.view().presence).toBe('offline');
    s.apply(connect('d1', 'desktop', { session: 'd1-s2' }));
    expect(s.view().presence).toBe('busy');
  });

  it('manual online returns to automatic', () => {
    const s = scenario().apply(connect('d1'), manual('busy'), manual('online'));
    expect(s.view().presence).toBe('online');
  });

  it('idleness is tracked underneath: an idle user back in automatic is away at once', () => {
    const s = scenario().apply(connect('d1'), manual('busy'), idleTimedOut('d1', 1));
    expect(s.view().presence).toBe('busy');
    s.apply(manual('online'));
    expect(s.view().presence).toBe('away');
  });

  it('the idle timer keeps running under a manual status', () => {
    const s = scenario().apply(connect('d1'), manual('busy'));
    expect(timersOf(s.record().state, INITIAL_WORKSPACE.settings)).toHaveLength(1);
  });
});

describe('RULES.md 2.5: calendar busy', () => {
  const calendar = (start: number, end: number, id = 'ev1') => ({
    type: 'CalendarBusySet' as const,
    calendarEventId: id,
    start: at(start),
    end: at(end),
  });
  const boundary = (started: boolean, when: number, id = 'ev1') => ({
    type: 'CalendarBoundaryReached' as const,
    calendarEventId: id,
    started,
    boundary: at(when),
  });

  it('is busy during a running event in automatic mode, and the previous state returns after', () => {
    const s = scenario().apply(after(0, connect('d1')), after(5, calendar(0, 600)));
    expect(s.view().presence).toBe('busy');
    s.apply(after(600, boundary(false, 600)));
    expect(s.view().presence).toBe('online');
  });

  it('a future event starts at its start boundary', () => {
    const s = scenario().apply(after(0, connect('d1')), after(5, calendar(60, 600)));
    expect(s.view().presence).toBe('online');
    const timers = timersOf(s.record().state, INITIAL_WORKSPACE.settings);
    expect(timers.map((t) => t.fact.type)).toContain('CalendarBoundaryReached');
    s.apply(after(60, boundary(true, 60)));
    expect(s.view().presence).toBe('busy');
  });

  it('a boundary of a moved event changes nothing', () => {
    const s = scenario().apply(
      after(0, connect('d1')),
      after(1, calendar(60, 600)),
      after(2, calendar(120, 600)),
      after(60, boundary(true, 60)),
    );
    expect(s.view().presence).toBe('online');
  });

  it('a manual status set during the event wins, also after returning to automatic', () => {
    const s = scenario().apply(after(0, connect('d1')), after(5, calendar(0, 600)));
    s.apply(after(10, manual('away')));
    expect(s.view().presence).toBe('away');
    s.apply(after(20, manual('online')));
    expect(s.view().presence).toBe('online');
  });

  it('shows the idle state underneath when the event ends', () => {
    const s = scenario().apply(
      after(0, connect('d1')),
      after(5, calendar(0, 600)),
      after(300, idleTimedOut('d1', 1)),
    );
    expect(s.view().presence).toBe('busy');
    s.apply(after(600, boundary(false, 600)));
    expect(s.view().presence).toBe('away');
  });

  it('an event already over changes nothing', () => {
    const s = scenario().apply(after(0, connect('d1')), after(700, calendar(0, 600)));
    expect(s.view().presence).toBe('online');
  });
});

describe('RULES.md 2.6: meetings', () => {
  const meeting = (present: boolean) => ({
    type: 'MeetingPresenceSet' as const,
    meetingId: 'm1',
    present,
  });

  it('do not change presence by default', () => {
    const s = scenario().apply(connect('d1'), meeting(true));
    expect(s.view().presence).toBe('online');
  });

  it('with meeting_sets_busy, a present attendee is busy until they leave', () => {
    const s = scenario().apply(
      settingsChanged(1, { meetingSetsBusy: true }),
      connect('d1'),
      meeting(true),
    );
    expect(s.view().presence).toBe('busy');
    s.apply(meeting(false));
    expect(s.view().presence).toBe('online');
  });

  it('switching meeting_sets_busy on re-evaluates attendees already present', () => {
    const s = scenario().apply(connect('d1'), meeting(true));
    s.apply(settingsChanged(1, { meetingSetsBusy: true }));
    expect(s.view().presence).toBe('busy');
    expect(s.changes().at(-1)?.version).toBe(s.lastSeq());
  });
});

describe('RULES.md 2.7: invisible', () => {
  it('others see offline without text or devices; own devices see invisible', () => {
    const s = scenario().apply(connect('d1'), manual('invisible', 'heads down'));
    expect(s.view()).toEqual({
      presence: 'offline',
      display: 'offline',
      online: false,
      statusText: null,
      lastActive: s.view().lastActive,
      devices: {},
    });
    expect(s.own()).toMatchObject({
      presence: 'invisible',
      statusText: 'heads down',
      devices: { desktop: 'online' },
    });
  });

  it('last_active does not advance while invisible', () => {
    const s = scenario().apply(after(10, connect('d1')), after(20, manual('invisible')));
    s.apply(after(60, activity('d1')));
    expect(s.view().lastActive).toBe('2026-11-22T10:00:10Z');
    expect(s.record().state.lastActive).toBe('2026-11-22T10:00:10Z');
  });

  it('publishes the own view while it differs, and once more when it stops differing', () => {
    const s = scenario().apply(connect('d1'), manual('invisible'));
    expect(s.ownChanges().map((c) => c.view.presence)).toEqual(['invisible']);
    s.apply(manual('busy'));
    expect(s.ownChanges().map((c) => c.view.presence)).toEqual(['invisible', 'busy']);
    s.apply(manual('online'));
    expect(s.ownChanges()).toHaveLength(2);
  });
});

describe('RULES.md 2.8: hidden (share availability with nobody)', () => {
  const share = (shareAvailability: 'everyone' | 'nobody') => ({
    type: 'PreferencesSet' as const,
    idleTimeoutS: null,
    shareAvailability,
  });

  it('others see display hidden and nothing else; own devices see the real state', () => {
    const s = scenario().apply(connect('d1'), statusText('lunch'), share('nobody'));
    expect(s.view()).toEqual({
      presence: 'offline',
      display: 'hidden',
      online: false,
      statusText: null,
      lastActive: null,
      devices: {},
    });
    expect(s.own()).toMatchObject({ presence: 'online', statusText: 'lunch' });
  });

  it('sharing again shows the real state', () => {
    const s = scenario().apply(connect('d1'), share('nobody'), share('everyone'));
    expect(s.view().display).toBe('available');
  });
});

describe('views and versions', () => {
  it('the version is the sequence of the fact that changed the view', () => {
    const s = scenario().apply(connect('d1'), activity('d1'), manual('busy'));
    expect(s.changes().map((c) => c.version)).toEqual([1, 3]);
    expect(s.record().version).toBe(3);
  });

  it('repeated facts publish nothing (no duplicates, no flapping)', () => {
    const s = scenario().apply(connect('d1'), activity('d1'), activity('d1'), manual('online'));
    expect(s.changes()).toHaveLength(1);
  });

  it('last_active is the last activity at second precision as of the change', () => {
    const s = scenario().apply(after(10.5, connect('d1')), after(70.25, activity('d1')));
    s.apply(after(400, idleTimedOut('d1', 2)));
    expect(s.view()).toMatchObject({ presence: 'away', lastActive: '2026-11-22T10:01:10Z' });
  });
});
