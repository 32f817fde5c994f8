import { describe, expect, it } from 'vitest';
import { BusError } from './errors.js';
import { eventHeaders, readEventMeta } from './headers.js';

const meta = {
  id: 'alice:42',
  type: 'presence.v1.PresenceChanged',
  source: 'presence-aggregator',
  subject: 'alice',
  time: '2026-12-03T10:00:00.000Z',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

describe('eventHeaders', () => {
  it('writes the CloudEvents headers in the contract order, each once', () => {
    const h = eventHeaders(meta);
    expect(h.keys().map((key) => [key, h.values(key)])).toEqual([
      ['Nats-Msg-Id', ['alice:42']],
      ['traceparent', [meta.traceparent]],
      ['ce-specversion', ['1.0']],
      ['ce-id', ['alice:42']],
      ['ce-type', ['presence.v1.PresenceChanged']],
      ['ce-source', ['presence-aggregator']],
      ['ce-time', ['2026-12-03T10:00:00.000Z']],
      ['ce-subject', ['alice']],
      ['datacontenttype', ['application/protobuf']],
      ['content-type', ['application/protobuf']],
    ]);
  });

  it('leaves ce-subject out for a fact about many, and reads the metadata back', () => {
    const h = eventHeaders({ ...meta, subject: '' });
    expect(h.has('ce-subject')).toBe(false);
    expect(readEventMeta(eventHeaders(meta))).toEqual(meta);
  });

  it('starts a trace when none is given', () => {
    const { traceparent: _, ...untraced } = meta;
    expect(eventHeaders(untraced).get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it('refuses a value with a line break, which would forge another header', () => {
    expect(() => eventHeaders({ ...meta, source: 'gateway\r\nNats-Msg-Id: x' })).toThrow(BusError);
    expect(() => eventHeaders({ ...meta, source: 'gateway\r\nNats-Msg-Id: x' })).toThrow(
      /header ce-source cannot contain a line break/,
    );
  });
});
