import type { Logger } from 'pino';
import { isConfigError } from './config.js';

/** Options for {@link createLifecycle}. */
export interface LifecycleOptions {
  readonly logger: Logger;
  /** Longest a signal-triggered shutdown may take before the process exits with 1 anyway. */
  readonly timeoutMs?: number;
  /** Ends the process; replaceable so tests can observe exits. Defaults to `process.exit`. */
  readonly exit?: (code: number) => void;
}

/** Ordered startup and shutdown of one service process (see {@link createLifecycle}). */
export interface Lifecycle {
  /**
   * Registers a shutdown step. Steps run in reverse registration order (what started last stops
   * first: servers before the bus, the bus before the pool), one at a time.
   */
  onShutdown(name: string, step: () => Promise<void> | void): void;
  /** Runs every step once; later calls return the same promise. Never rejects. */
  shutdown(reason: string): Promise<void>;
  /** Aborted as soon as shutdown starts, for loops that should stop taking new work. */
  readonly signal: AbortSignal;
  /**
   * SIGINT/SIGTERM shut down and exit 0; a second signal or a shutdown longer than `timeoutMs`
   * exits 1; an uncaught exception or unhandled rejection is logged as fatal, then shuts down and
   * exits 1. Idempotent. Returns a function that removes the handlers (for tests).
   */
  installSignalHandlers(): () => void;
  /**
   * Installs the handlers and runs `main` (connect, start servers, register steps). If `main`
   * throws, the error is reported (a ConfigError as plain text on stderr, anything else as a
   * fatal log line), the steps registered so far run, and the process exits 1.
   */
  run(main: () => Promise<void>): Promise<void>;
}

/** Creates the lifecycle of one service process. */
export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { logger, timeoutMs = 10_000 } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const steps: Array<{ name: string; step: () => Promise<void> | void }> = [];
  const controller = new AbortController();
  let done: Promise<void> | undefined;
  let uninstall: (() => void) | undefined;
  let signalled = false;
  let exitCode: number | undefined;

  async function runSteps(reason: string): Promise<void> {
    logger.info({ reason, steps: steps.length }, 'shutting down');
    const started = performance.now();
    for (const { name, step } of [...steps].reverse()) {
      const stepStarted = performance.now();
      try {
        await step();
        logger.info({ step: name, durationMs: elapsed(stepStarted) }, 'shutdown step done');
      } catch (err) {
        // One broken step (a pool that fails to end) must not keep the others from releasing.
        logger.error({ step: name, durationMs: elapsed(stepStarted), err }, 'shutdown step failed');
      }
    }
    logger.info({ reason, durationMs: elapsed(started) }, 'shutdown complete');
  }

  function shutdown(reason: string): Promise<void> {
    if (!done) {
      controller.abort(reason);
      done = runSteps(reason);
    }
    return done;
  }

  /**
   * Shuts down once and then exits; a later fatal error during that shutdown raises the exit
   * code to 1. If shutdown outlives `timeoutMs` the process exits 1 regardless.
   */
  function shutdownAndExit(reason: string, code: number): void {
    const first = exitCode === undefined;
    exitCode = Math.max(exitCode ?? 0, code);
    if (!first) return;
    const timer = setTimeout(() => {
      logger.fatal({ reason, timeoutMs }, 'shutdown timed out');
      exit(1);
    }, timeoutMs);
    timer.unref();
    void shutdown(reason).then(() => {
      clearTimeout(timer);
      exit(exitCode ?? code);
    });
  }

  function installSignalHandlers(): () => void {
    if (uninstall) return uninstall;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        logger.fatal({ signal }, 'second signal during shutdown, exiting now');
        exit(1);
        return;
      }
      signalled = true;
      shutdownAndExit(signal, 0);
    };
    const onFatal = (err: unknown, origin: string): void => {
      logger.fatal({ err, origin }, 'fatal error, shutting down');
      shutdownAndExit(origin, 1);
    };
    const onRejection = (reason: unknown): void => onFatal(reason, 'unhandledRejection');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onRejection);
    uninstall = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('uncaughtException', onFatal);
      process.off('unhandledRejection', onRejection);
      uninstall = undefined;
    };
    return uninstall;
  }

  async function run(main: () => Promise<void>): Promise<void> {
    installSignalHandlers();
    try {
      await main();
    } catch (err) {
      // A config mistake is an operator's typo, not a crash: show the list, not a stack trace.
      if (isConfigError(err)) process.stderr.write(`${err.message}\n`);
      else logger.fatal({ err }, 'startup failed');
      shutdownAndExit('startup failed', 1);
    }
  }

  return {
    onShutdown(name, step) {
      // Too late to run in order; say so rather than leak the resource silently.
      if (done)
        logger.warn(
          { step: name },
          'shutdown step registered after shutdown started; it will not run',
        );
      else steps.push({ name, step });
    },
    shutdown,
    signal: controller.signal,
    installSignalHandlers,
    run,
  };
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}
