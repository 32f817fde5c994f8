import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activity,
  connect,
  dropped,
  goodbye,
  graceExpired,
  idleTimedOut,
  manual,
  scenario,
  system,
  type FactBody,
} from '../testing/scenario.js';
import { applyFacts } from './apply-facts.js';
import { nextDueAt, timersOf } from './timers.js';
import { sameView } from './views.js';
import { INITIAL_WORKSPACE } from './workspace.js';

const devices = ['d1', 'd2', 'd3', 'd4'];
const platformOf = { d1: 'desktop', d2: 'web', d3: 'mobile', d4: 'desktop' } as const;

/** Random interleavings of everything a device and its user can do, for 1-4 devices. */
const factArb: fc.Arbitrary<(seq: number) => FactBody> = fc.oneof(
  fc.record({ device: fc.constantFrom(...devices), session: fc.constantFrom('a', 'b') }).map(
    ({ device, session }) =>
      () =>
        connect(device, platformOf[device as keyof typeof platformOf], { session }),
  ),
  fc
    .record({
      device: fc.constantFrom(...devices),
      session: fc.constantFrom('a', 'b'),
      kind: fc.constantFrom('goodbye', 'dropped', 'activity'),
    })
    .map(
      ({ device, session, kind }) =>
        () =>
          kind === 'goodbye'
            ? goodbye(device, session)
            : kind === 'dropped'
              ? dropped(device, session)
              : activity(device, session),
    ),
  fc
    .record({
      device: fc.constantFrom(...devices),
      session: fc.constantFrom('a', 'b'),
      state: fc.constantFrom(
        'locked',
        'unlocked',
        'sleep',
        'wake',
        'background',
        'foreground' as const,
      ),
    })
    .map(
      ({ device, session, state }) =>
        () =>
          system(device, state, session),
    ),
  // Timer facts naming a recent sequence: sometimes current, mostly overtaken.
  fc
    .record({
      device: fc.constantFrom(...devices),
      session: fc.constantFrom('a', 'b'),
      back: fc.integer({ min: 1, max: 4 }),
      grace: fc.boolean(),
    })
    .map(
      ({ device, session, back, grace }) =>
        (seq: number) =>
          grace
            ? graceExpired(device, seq - back, session)
            : idleTimedOut(device, seq - back, session),
    ),
  fc
    .constantFrom('online', 'away', 'busy', 'invisible' as const)
    .map((choice) => () => manual(choice)),
);

const historyArb = fc.array(factArb, { minLength: 1, maxLength: 80 });

function run(makers: ((seq: number) => FactBody)[]) {
  const s = scenario();
  makers.forEach((make, index) => s.apply(make(index + 1)));
  return s;
}

describe('presence properties (fast-check)', () => {
  it('(a) folding in any batch split equals one replay from sequence 1, byte for byte', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 20 }),
        (makers, cuts) => {
          const facts = run(makers).log();
          const whole = applyFacts({ workspace: INITIAL_WORKSPACE, users: new Map() }, facts);
          let state = { workspace: INITIAL_WORKSPACE, users: new Map() as Map<string, never> };
          let offset = 0;
          for (const size of [...cuts, facts.length]) {
            const applied = applyFacts(state, facts.slice(offset, offset + size));
            const users = new Map(state.users);
            for (const [user, record] of applied.updated) users.set(user, record as never);
            state = { workspace: applied.workspace, users };
            offset += size;
          }
          expect(JSON.stringify([...state.users])).toBe(JSON.stringify([...whole.updated]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('(b) the aggregate obeys the priority rules', () => {
    fc.assert(
      fc.property(historyArb, (makers) => {
        const record = run(makers).record();
        const { state, view, own } = record;
        const connected = state.devices.length > 0;
        const states = Object.values(view.devices);
        if (!connected) {
          expect(own.presence).toBe('offline');
        } else if (state.manual) {
          expect(own.presence).toBe(state.manual);
        } else {
          expect(own.presence).toBe(states.includes('online') ? 'online' : 'away');
        }
        // Invisible shows as offline to others, with nothing that would give it away.
        if (own.presence === 'invisible') {
          expect(view).toMatchObject({
            presence: 'offline',
            online: false,
            devices: {},
            statusText: null,
          });
        } else {
          expect(view.presence).toBe(own.presence);
        }
        expect(view.online).toBe(view.presence !== 'offline');
      }),
      { numRuns: 500 },
    );
  });

  it('the next due time is the earliest of the timers a state waits for', () => {
    fc.assert(
      fc.property(historyArb, (makers) => {
        const { state } = run(makers).record();
        const timers = timersOf(state, INITIAL_WORKSPACE.settings);
        expect(nextDueAt(state, INITIAL_WORKSPACE.settings)).toBe(timers[0]?.dueAt ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('(c) versions strictly increase and no two consecutive published views are equal', () => {
    fc.assert(
      fc.property(historyArb, (makers) => {
        const changes = run(makers).changes();
        for (let i = 1; i < changes.length; i += 1) {
          expect(changes[i]!.version).toBeGreaterThan(changes[i - 1]!.version);
          expect(sameView(changes[i]!.view, changes[i - 1]!.view)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});
