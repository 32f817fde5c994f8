import { describe, expect, it } from 'vitest';
import { resolveWebSocket, socketUrl } from './socket.js';

const address = { token: 'a.b.c', deviceId: 'alice-laptop', platform: 'web' as const };

describe('socketUrl', () => {
  it.each([
    ['https://presence.example.com', 'wss://presence.example.com/v1/ws'],
    ['http://127.0.0.1:8080/', 'ws://127.0.0.1:8080/v1/ws'],
    ['wss://edge.example.com/presence', 'wss://edge.example.com/presence/v1/ws'],
    ['HTTPS://Upper.example.com', 'wss://Upper.example.com/v1/ws'],
  ])('turns %s into %s', (url, expected) => {
    expect(socketUrl({ url, ...address }).split('?')[0]).toBe(expected);
  });

  it('URL-encodes the query so a token cannot smuggle in a parameter', () => {
    const url = socketUrl({
      url: 'ws://gw',
      token: 'x&platform=mobile',
      deviceId: 'a b',
      platform: 'web',
    });
    const params = new URL(url).searchParams;
    expect(params.get('token')).toBe('x&platform=mobile');
    expect(params.get('device_id')).toBe('a b');
    expect(params.getAll('platform')).toEqual(['web']);
  });
});

describe('resolveWebSocket', () => {
  it('asks for a constructor where the runtime has none, naming the option', () => {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket;
    try {
      expect(() => resolveWebSocket(undefined)).toThrow(/pass one.*"ws" package/);
    } finally {
      if (saved !== undefined) global.WebSocket = saved;
    }
  });
});
