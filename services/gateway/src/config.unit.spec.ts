import { describe, expect, it } from 'vitest';
import {
  FALLBACK_MAX_CONNECTIONS,
  FD_MARGIN,
  defaultMaxConnections,
  loadConfig,
} from './config.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe('gateway config', () => {
  it('caps sessions below the open-file limit, with a margin for NATS, HTTP and gRPC', () => {
    expect(defaultMaxConnections(LIMITS)).toBe(20_000 - FD_MARGIN);
    expect(defaultMaxConnections(undefined)).toBe(FALLBACK_MAX_CONNECTIONS);
    expect(defaultMaxConnections('Max open files unlimited unlimited files')).toBe(
      FALLBACK_MAX_CONNECTIONS,
    );
  });

  it('reads the limits and names a bad one', () => {
    const config = loadConfig({ GATEWAY_MAX_CONNECTIONS: '500', GATEWAY_FRAMES_PER_S: '5' });
    expect(config.maxConnections).toBe(500);
    expect(config.framesPerS).toBe(5);
    expect(config.frameBurst).toBe(100);
    expect(() => loadConfig({ GATEWAY_FRAME_BURST: '0' })).toThrow(/GATEWAY_FRAME_BURST/);
  });
});
