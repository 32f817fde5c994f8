import { describe, expect, it } from 'vitest';
import {
  activity,
  after,
  at,
  connect,
  drained,
  dropped,
  goodbye,
  graceExpired,
  idleTimedOut,
  scenario,
  system,
} from '../testing/scenario.js';
import { timersOf } from './timers.js';
import { INITIAL_WORKSPACE } from './workspace.js';

/** RULES.md 1, one row at a time: the effect of each event on the device and on the user. */
describe('RULES.md 1: device state', () => {
  it.each(['desktop', 'web', 'mobile'] as const)(
    'a %s device that connects is online',
    (platform) => {
      const s = scenario().apply(connect('d1', platform));
      expect(s.view()).toMatchObject({
        presence: 'online',
        online: true,
        devices: { [platform]: 'online' },
      });
      expect(s.view().display).toBe(platform === 'mobile' ? 'mobile' : 'available');
    },
  );

  it('given an idle desktop, activity makes it online again', () => {
    const s = scenario().apply(connect('d1'), idleTimedOut('d1', 1));
    expect(s.view().presence).toBe('away');
    s.apply(activity('d1'));
    expect(s.view()).toMatchObject({ presence: 'online', devices: { desktop: 'online' } });
  });

  describe('idle timer', () => {
    it('is due exactly at the last activity plus the workspace timeout (the boundary is idle)', () => {
      const s = scenario().apply(after(10, connect('d1')), after(40, activity('d1')));
      const [timer] = timersOf(s.record().state, INITIAL_WORKSPACE.settings);
      expect(timer).toMatchObject({
        dueAt: Date.parse(at(40 + 300)),
        fact: { type: 'DeviceIdleTimedOut', deviceId: 'd1', activitySeq: 2 },
      });
    });

    it('uses the per-user preference over the workspace default', () => {
      const s = scenario().apply(
        after(0, { type: 'PreferencesSet', idleTimeoutS: 120, shareAvailability: null }),
        after(10, connect('d1')),
      );
      expect(timersOf(s.record().state, INITIAL_WORKSPACE.settings)[0]?.dueAt).toBe(
        Date.parse(at(10 + 120)),
      );
    });

    it('turns the device away when it fires', () => {
      const s = scenario().apply(connect('d1', 'web'), idleTimedOut('d1', 1));
      expect(s.view()).toMatchObject({
        presence: 'away',
        display: 'idle',
        devices: { web: 'away' },
      });
    });

    it('is ignored when newer activity overtook it (timers never race activity)', () => {
      const s = scenario().apply(connect('d1'), activity('d1'), idleTimedOut('d1', 1));
      expect(s.view().presence).toBe('online');
    });

    it('does not exist on mobile, and a stray one changes nothing', () => {
      const s = scenario().apply(connect('m1', 'mobile'));
      expect(timersOf(s.record().state, INITIAL_WORKSPACE.settings)).toEqual([]);
      s.apply(idleTimedOut('m1', 1));
      expect(s.view().presence).toBe('online');
    });
  });

  it('a locked desktop is away, and unlocking makes it online', () => {
    const s = scenario().apply(connect('d1'), system('d1', 'locked'));
    expect(s.view()).toMatchObject({ presence: 'away', devices: { desktop: 'away' } });
    s.apply(system('d1', 'unlocked'));
    expect(s.view().presence).toBe('online');
  });

  it('lock is a desktop event: a locked report from mobile changes nothing', () => {
    const s = scenario().apply(connect('m1', 'mobile'), system('m1', 'locked'));
    expect(s.view().presence).toBe('online');
  });

  it('a sleeping desktop is away, then offline at once when its connection drops', () => {
    const s = scenario().apply(connect('d1'), system('d1', 'sleep'));
    expect(s.view().presence).toBe('away');
    s.apply(dropped('d1'));
    expect(s.view()).toMatchObject({ presence: 'offline', devices: {} });
  });

  it('waking makes a sleeping desktop online', () => {
    const s = scenario().apply(connect('d1'), system('d1', 'sleep'), system('d1', 'wake'));
    expect(s.view().presence).toBe('online');
  });

  it('a mobile app in the background is away, in the foreground online', () => {
    const s = scenario().apply(connect('m1', 'mobile'), system('m1', 'background'));
    expect(s.view()).toMatchObject({
      presence: 'away',
      display: 'idle',
      devices: { mobile: 'away' },
    });
    s.apply(system('m1', 'foreground'));
    expect(s.view()).toMatchObject({ presence: 'online', display: 'mobile' });
  });

  it('background is a mobile event: a desktop reporting it stays online', () => {
    const s = scenario().apply(connect('d1'), system('d1', 'background'));
    expect(s.view().presence).toBe('online');
  });

  describe('connection lost without a goodbye', () => {
    it('is away during the reconnect grace, then offline', () => {
      const s = scenario().apply(connect('d1'), dropped('d1'));
      expect(s.view()).toMatchObject({ presence: 'away', devices: { desktop: 'away' } });
      const [grace] = timersOf(s.record().state, INITIAL_WORKSPACE.settings);
      expect(grace).toMatchObject({
        dueAt: Date.parse(at(2)) + 30_000,
        fact: { type: 'DeviceGraceExpired', disconnectedSeq: 2 },
      });
      s.apply(graceExpired('d1', 2));
      expect(s.view()).toMatchObject({ presence: 'offline', online: false });
    });

    it('a reconnect within the grace is online, and the old grace timer changes nothing', () => {
      const s = scenario().apply(
        connect('d1'),
        dropped('d1'),
        connect('d1', 'desktop', { session: 'd1-s2' }),
        graceExpired('d1', 2),
      );
      expect(s.view().presence).toBe('online');
    });
  });

  it('a clean goodbye is offline at once', () => {
    const s = scenario().apply(connect('d1'), goodbye('d1'));
    expect(s.view()).toMatchObject({ presence: 'offline', display: 'offline', devices: {} });
  });

  it('a late goodbye of an older session does not touch the newer one', () => {
    const s = scenario().apply(
      connect('d1'),
      connect('d1', 'desktop', { session: 'd1-s2' }),
      goodbye('d1', 'd1-s1'),
    );
    expect(s.view().presence).toBe('online');
  });

  it('the devices of a lost gateway go offline; devices elsewhere stay', () => {
    const s = scenario().apply(
      connect('d1', 'desktop', { gateway: 'gw-1' }),
      connect('m1', 'mobile', { gateway: 'gw-2' }),
      { type: 'GatewayLost', gatewayId: 'gw-1' },
    );
    expect(s.view()).toMatchObject({ presence: 'online', devices: { mobile: 'online' } });
    s.apply({ type: 'GatewayLost', gatewayId: 'gw-2' });
    expect(s.view().presence).toBe('offline');
  });

  it('a gateway drain keeps the device as it was during the grace (the client moves elsewhere)', () => {
    const s = scenario().apply(connect('d1'), drained('d1'));
    expect(s.view()).toMatchObject({ presence: 'online', devices: { desktop: 'online' } });
    s.apply(graceExpired('d1', 2));
    expect(s.view().presence).toBe('offline');
  });
});
