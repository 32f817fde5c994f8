import { describe, expect, it } from 'vitest';
import type { DeviceFact, Platform } from './device-facts.js';
import { initialRecord, step, type UserRecord } from './presence-step.js';

let seq = 0;
const at = (s: number) => `2026-11-22T10:00:${String(s).padStart(2, '0')}.250Z`;
const connected = (
  deviceId: string,
  sessionId: string,
  platform: Platform = 'desktop',
): DeviceFact => ({
  type: 'DeviceConnected',
  seq: ++seq,
  at: at(seq),
  userId: 'bob',
  deviceId,
  sessionId,
  platform,
  gatewayId: 'gw-1',
});
const disconnected = (
  deviceId: string,
  sessionId: string,
  reason: 'goodbye' | 'abnormal' = 'goodbye',
): DeviceFact => ({
  type: 'DeviceDisconnected',
  seq: ++seq,
  at: at(seq),
  userId: 'bob',
  deviceId,
  sessionId,
  reason,
});

/** Given facts, fold them and collect the published changes. */
function given(...facts: DeviceFact[]) {
  let record: UserRecord = initialRecord('bob');
  const changes = [];
  for (const fact of facts) {
    const result = step(record, fact);
    record = result.record;
    if (result.change) changes.push(result.change);
  }
  return { record, changes };
}

describe('presence (walking skeleton: online while a device is connected)', () => {
  it('given no facts, the user is offline with version 0', () => {
    const { record } = given();
    expect(record.view).toMatchObject({
      presence: 'offline',
      display: 'offline',
      online: false,
      devices: {},
    });
    expect(record.version).toBe(0);
  });

  it('when a device connects, the user is online and the fact sequence is the version', () => {
    const fact = connected('laptop', 's1');
    const { record, changes } = given(fact);
    expect(record.view).toMatchObject({
      presence: 'online',
      display: 'available',
      online: true,
      devices: { desktop: 'online' },
    });
    expect(record.view.lastActive).toBe(at(fact.seq).replace('.250', ''));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.version).toBe(fact.seq);
  });

  it('stays online until the last device goes (one entry per connection)', () => {
    const { record, changes } = given(
      connected('laptop', 's1'),
      connected('phone', 's2', 'mobile'),
      disconnected('laptop', 's1'),
    );
    expect(record.view).toMatchObject({
      presence: 'online',
      display: 'mobile',
      devices: { mobile: 'online' },
    });
    expect(changes.map((c) => c.view.presence)).toEqual(['online', 'online', 'online']);
    const last = given(connected('laptop', 's1'), disconnected('laptop', 's1', 'abnormal'));
    expect(last.record.view.presence).toBe('offline');
  });

  it('ignores a late disconnect of an older session of the same device', () => {
    const { record } = given(
      connected('laptop', 's1'),
      connected('laptop', 's2'),
      disconnected('laptop', 's1'),
    );
    expect(record.view.presence).toBe('online');
  });

  it('publishes nothing when a fact does not change the view', () => {
    const { changes } = given(
      connected('laptop', 's1'),
      disconnected('laptop', 'unknown'),
      disconnected('tablet', 's9'),
    );
    expect(changes).toHaveLength(1);
  });

  it('versions strictly increase across published changes', () => {
    const { changes } = given(
      connected('a', '1'),
      connected('b', '2', 'web'),
      disconnected('a', '1'),
      disconnected('b', '2'),
    );
    const versions = changes.map((c) => c.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('lists devices per platform in a fixed order', () => {
    const { record } = given(
      connected('p', '1', 'mobile'),
      connected('w', '2', 'web'),
      connected('d', '3', 'desktop'),
    );
    expect(Object.keys(record.view.devices)).toEqual(['desktop', 'web', 'mobile']);
    expect(Object.keys(record.state.devices)).toEqual(['d', 'p', 'w']);
  });
});
