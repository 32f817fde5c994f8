import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config.js';
import { createLifecycle } from './lifecycle.js';
import { captureLogger } from './testing-fixtures/capture-logger.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
  vi.restoreAllMocks();
});

// The plain EventEmitter view of `process`: its typed overloads do not cover a list of events.
const emitter: NodeJS.EventEmitter = process;
const PROCESS_EVENTS = ['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'] as const;

/**
 * Detaches the test runner's own process listeners while a test emits these events by hand
 * (Vitest would otherwise report the emitted exception as a failure), and restores them after.
 */
function isolateProcessListeners(): void {
  for (const event of PROCESS_EVENTS) {
    const saved = emitter.listeners(event);
    emitter.removeAllListeners(event);
    cleanups.unshift(() => {
      emitter.removeAllListeners(event);
      for (const listener of saved) emitter.on(event, listener as (...args: unknown[]) => void);
    });
  }
}

/** A lifecycle whose process exits are recorded instead of taken. */
function setup(timeoutMs?: number) {
  const { logger, lines } = captureLogger();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (onExit = resolve));
  const exit = (code: number): void => {
    exits.push(code);
    onExit(code);
  };
  const lifecycle = createLifecycle({
    logger,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    exit,
  });
  isolateProcessListeners();
  return { lifecycle, lines, exits, exited };
}

describe('lifecycle', () => {
  it('runs shutdown steps in reverse order, one at a time, and keeps going after a failure', async () => {
    const { lifecycle, lines } = setup();
    const order: string[] = [];
    lifecycle.onShutdown('postgres', () => void order.push('postgres'));
    lifecycle.onShutdown('nats', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('nats');
    });
    lifecycle.onShutdown('consumer', () => {
      order.push('consumer');
      throw new Error('drain failed');
    });
    lifecycle.onShutdown('grpc', () => void order.push('grpc'));

    await lifecycle.shutdown('test');

    expect(order).toEqual(['grpc', 'consumer', 'nats', 'postgres']);
    const steps = lines.filter((line) => 'step' in line);
    expect(steps.map((line) => [line['step'], line['msg']])).toEqual([
      ['grpc', 'shutdown step done'],
      ['consumer', 'shutdown step failed'],
      ['nats', 'shutdown step done'],
      ['postgres', 'shutdown step done'],
    ]);
    expect(steps[1]).toMatchObject({ level: 'error', err: { message: 'drain failed' } });
    expect(steps[2]?.['durationMs']).toBeGreaterThanOrEqual(15);
  });

  it('is idempotent and aborts its signal when shutdown starts', async () => {
    const { lifecycle } = setup();
    const step = vi.fn();
    lifecycle.onShutdown('once', step);
    const first = lifecycle.shutdown('a');
    expect(lifecycle.signal.aborted).toBe(true);
    expect(lifecycle.shutdown('b')).toBe(first);
    await first;
    expect(step).toHaveBeenCalledTimes(1);
  });

  it('exits 0 after shutting down on SIGTERM, and 1 on a second signal', async () => {
    const { lifecycle, exits, exited } = setup();
    let release = (): void => undefined;
    lifecycle.onShutdown('slow', () => new Promise<void>((resolve) => (release = resolve)));
    cleanups.push(lifecycle.installSignalHandlers());

    process.emit('SIGTERM', 'SIGTERM');
    await Promise.resolve();
    expect(exits).toEqual([]);
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
    release();
    await exited;
    await vi.waitFor(() => expect(exits).toEqual([1, 0]));
  });

  it('exits 1 when shutdown takes longer than timeoutMs', async () => {
    const { lifecycle, lines, exited } = setup(30);
    lifecycle.onShutdown('stuck', () => new Promise<void>(() => undefined));
    cleanups.push(lifecycle.installSignalHandlers());
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    expect(lines.at(-1)).toMatchObject({ level: 'fatal', msg: 'shutdown timed out' });
  });

  it('logs an uncaught exception as fatal, shuts down and exits 1', async () => {
    const { lifecycle, lines, exited } = setup();
    const step = vi.fn();
    lifecycle.onShutdown('server', step);
    cleanups.push(lifecycle.installSignalHandlers());
    emitter.emit('uncaughtException', new Error('kaboom'), 'uncaughtException');
    expect(await exited).toBe(1);
    expect(step).toHaveBeenCalledOnce();
    expect(lines[0]).toMatchObject({ level: 'fatal', err: { message: 'kaboom' } });
  });

  it('run() prints a ConfigError plainly on stderr, runs the steps so far and exits 1', async () => {
    const { lifecycle, lines, exited } = setup();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const step = vi.fn();
    await lifecycle.run(async () => {
      lifecycle.onShutdown('logger', step);
      throw new ConfigError([
        { variable: 'GATEWAY_PORT', expected: 'expected an integer port', given: '"x"' },
      ]);
    });
    cleanups.push(lifecycle.installSignalHandlers());
    expect(await exited).toBe(1);
    expect(step).toHaveBeenCalledOnce();
    expect(stderr).toHaveBeenCalledWith(
      'Invalid configuration:\n  GATEWAY_PORT: expected an integer port, got "x"\n',
    );
    expect(lines.some((line) => line['level'] === 'fatal')).toBe(false);
  });

  it('run() logs any other startup error as fatal', async () => {
    const { lifecycle, lines, exited } = setup();
    await lifecycle.run(() => Promise.reject(new Error('nats unreachable')));
    cleanups.push(lifecycle.installSignalHandlers());
    expect(await exited).toBe(1);
    expect(lines[0]).toMatchObject({
      level: 'fatal',
      msg: 'startup failed',
      err: { message: 'nats unreachable' },
    });
  });
});
