import { describe, expect, it } from 'vitest';
import { reconnectPolicy } from './backoff.js';
import { decideAfterClose, type CloseContext } from './close-policy.js';

const policy = reconnectPolicy({ initialMs: 100, maxMs: 10_000, factor: 2, jitter: 1 });
const context: CloseContext = {
  closing: false,
  drainAfterMs: undefined,
  tokenRenewable: true,
  authRetried: false,
  failures: 2,
};
const decide = (code: number, overrides: Partial<CloseContext> = {}) =>
  decideAfterClose(code, { ...context, ...overrides }, policy, 0);

describe('decideAfterClose', () => {
  it.each([1000, 1001, 1006, 1011, 1012, 1013, 4408, 4429])(
    'backs off after %i, by the failures so far',
    (code) => {
      expect(decide(code)).toEqual({ action: 'backoff', delayMs: 400 });
    },
  );

  it('stops after 4400: a bad device id or platform fails the same way every time', () => {
    expect(decide(4400)).toEqual({ action: 'stop' });
  });

  it('renews the token once after 4401 when the token comes from a function', () => {
    expect(decide(4401)).toEqual({ action: 'renew-token' });
    expect(decide(4401, { authRetried: true })).toEqual({ action: 'stop' });
  });

  it('stops after 4401 with a fixed token', () => {
    expect(decide(4401, { tokenRenewable: false })).toEqual({ action: 'stop' });
  });

  it('follows a drain frame whatever the close code, without counting a failure', () => {
    expect(decide(1012, { drainAfterMs: 1_000 })).toEqual({ action: 'drain', delayMs: 1_000 });
    expect(decide(4429, { drainAfterMs: 0 })).toEqual({ action: 'drain', delayMs: 0 });
  });

  it('stops whatever the code once the app closed the client', () => {
    for (const code of [1006, 4401, 4429]) {
      expect(decide(code, { closing: true, drainAfterMs: 5 })).toEqual({ action: 'stop' });
    }
  });
});
