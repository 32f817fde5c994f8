import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFacts } from './apply-facts.js';
import type { DeviceFact } from './device-facts.js';
import type { UserRecord } from './presence-step.js';

const users = ['ann', 'bob', 'cy'];
const devices = ['d1', 'd2', 'd3', 'd4'];

/** Random interleavings of connects and disconnects of 1-4 devices of 3 users. */
const factsArb = fc
  .array(
    fc.record({
      connect: fc.boolean(),
      user: fc.constantFrom(...users),
      device: fc.constantFrom(...devices),
      session: fc.constantFrom('s1', 's2'),
      platform: fc.constantFrom('desktop' as const, 'web' as const, 'mobile' as const),
    }),
    { maxLength: 60 },
  )
  .map((items) =>
    items.map((item, index): DeviceFact => {
      const base = {
        seq: index + 1,
        at: new Date(Date.UTC(2026, 10, 22, 10, 0, index)).toISOString(),
        userId: item.user,
      };
      return item.connect
        ? {
            ...base,
            type: 'DeviceConnected',
            deviceId: item.device,
            sessionId: item.session,
            platform: item.platform,
            gatewayId: 'g',
          }
        : {
            ...base,
            type: 'DeviceDisconnected',
            deviceId: item.device,
            sessionId: item.session,
            reason: 'goodbye',
          };
    }),
  );

describe('applyFacts', () => {
  it('folding in batches of any size gives the same records and changes as one batch (live == replay)', () => {
    fc.assert(
      fc.property(factsArb, fc.integer({ min: 1, max: 10 }), (facts, size) => {
        const whole = applyFacts(new Map(), facts);
        const records = new Map<string, UserRecord>();
        const changes = [];
        for (let i = 0; i < facts.length; i += size) {
          const part = applyFacts(records, facts.slice(i, i + size));
          for (const [user, record] of part.updated) records.set(user, record);
          changes.push(...part.changes);
        }
        expect(records).toEqual(whole.updated);
        expect(changes).toEqual(whole.changes);
      }),
    );
  });

  it('online iff a device is connected; versions strictly increase; no two consecutive views are equal', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const { updated, changes } = applyFacts(new Map(), facts);
        for (const record of updated.values()) {
          expect(record.view.online).toBe(Object.keys(record.state.devices).length > 0);
        }
        for (const user of users) {
          const mine = changes.filter((c) => c.userId === user);
          for (let i = 1; i < mine.length; i++) {
            expect(mine[i]!.version).toBeGreaterThan(mine[i - 1]!.version);
            expect(mine[i]!.view).not.toEqual(mine[i - 1]!.view);
          }
        }
      }),
    );
  });

  it('does not modify the records it was given', () => {
    const first = applyFacts(new Map(), [
      {
        type: 'DeviceConnected',
        seq: 1,
        at: '2026-11-22T10:00:00.000Z',
        userId: 'ann',
        deviceId: 'd',
        sessionId: 's',
        platform: 'web',
        gatewayId: 'g',
      },
    ]);
    const snapshot = structuredClone(first.updated);
    applyFacts(first.updated, [
      {
        type: 'DeviceDisconnected',
        seq: 2,
        at: '2026-11-22T10:00:01.000Z',
        userId: 'ann',
        deviceId: 'd',
        sessionId: 's',
        reason: 'goodbye',
      },
    ]);
    expect(first.updated).toEqual(snapshot);
  });
});
