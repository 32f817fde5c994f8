import { describe, expect, it } from 'vitest';
import { runServiceCommand } from '../support/services.js';

/** A bad configuration stops a service at once with a message naming every bad variable. */
describe('service configuration', () => {
  it('refuses to start with bad values and names each variable', async () => {
    const { code, stdout, stderr } = await runServiceCommand('gateway', [], {
      GATEWAY_HTTP_PORT: 'http',
      PRESENCE_PARTITIONS: '0',
      NATS_URL: 'http://127.0.0.1:4222',
    });
    expect(code).toBe(1);
    const output = stdout + stderr;
    expect(output).toContain('Invalid configuration');
    expect(output).toMatch(/GATEWAY_HTTP_PORT: expected an integer port .*got "http"/);
    expect(output).toMatch(/PRESENCE_PARTITIONS: expected an integer between 1 and 1024, got "0"/);
    expect(output).toMatch(/NATS_URL: expected a URL with scheme nats:\/\/ or tls:\/\//);
  });

  it('refuses an unknown command of a service', async () => {
    const { code, stdout, stderr } = await runServiceCommand('presence-aggregator', ['rebuilt'], {
      NATS_URL: 'nats://127.0.0.1:1',
    });
    expect(code).toBe(2);
    expect(stderr).toBe('presence-aggregator: unknown command "rebuilt"; commands: rebuild\n');
    expect(stdout).toBe('');
  });
});
