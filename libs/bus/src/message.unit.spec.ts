import { describe, expect, it } from 'vitest';
import { parseAckSubject } from './message.js';

describe('parseAckSubject', () => {
  it('reads the old form: $JS.ACK.<stream>.<consumer>.<deliveries>.<sseq>.<dseq>.<nanos>.<pending>', () => {
    const delivery = parseAckSubject('$JS.ACK.DEVICE_EVENTS.c1.1.1042.17.1764000000123456789.5');
    expect(delivery).toMatchObject({ deliveries: 1, streamSeq: 1042, deliverySeq: 17, pending: 5 });
    // Nanoseconds beyond 2^53 lose their last digits; the millisecond stays exact.
    expect(Math.floor(delivery.timestampNanos / 1e6)).toBe(1764000000123);
  });

  it('reads the form with domain and account hash, with and without the random token', () => {
    const expected = {
      deliveries: 2,
      streamSeq: 7,
      deliverySeq: 3,
      timestampNanos: 1764000000000000000,
      pending: 0,
    };
    expect(parseAckSubject('$JS.ACK.hub.ACCHASH.S.c.2.7.3.1764000000000000000.0.xyz')).toEqual(
      expected,
    );
    expect(parseAckSubject('$JS.ACK.hub.ACCHASH.S.c.2.7.3.1764000000000000000.0')).toEqual(
      expected,
    );
  });

  it('refuses what is not a delivery subject', () => {
    expect(() => parseAckSubject('_INBOX.abc')).toThrow(/not a JetStream delivery subject/);
    expect(() => parseAckSubject('$JS.ACK.S.c.1.x.3.4.5')).toThrow(/not a number/);
  });
});
