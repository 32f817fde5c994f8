/**
 * Everything the bench starts registers how to stop it here; the steps run last-in first-out at
 * the end of the run, after a failure, and on Ctrl-C or SIGTERM, so no server or process is left.
 */
const steps: { name: string; run: () => Promise<void> }[] = [];
let running: Promise<void> | undefined;

/** Registers a stop step; the returned function runs it early (and only once). */
export function onCleanup(name: string, run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const step = { name, run: () => (done ??= run()) };
  steps.push(step);
  return async () => {
    const index = steps.indexOf(step);
    if (index >= 0) steps.splice(index, 1);
    await step.run();
  };
}

/** Runs every registered step, newest first; a failing step is reported and the rest still run. */
export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop()!;
      await step.run().catch((error: unknown) => {
        console.error(`cleanup: ${step.name} failed: ${(error as Error).message}`);
      });
    }
  })();
  return running;
}

let interrupted = false;

/** True once Ctrl-C or SIGTERM arrived: failures after it are the shutdown, not findings. */
export const wasInterrupted = () => interrupted;

/** Ctrl-C / SIGTERM: clean up, then exit 130 / 143. A second signal exits at once. */
export function cleanUpOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(code);
      interrupted = true;
      console.error(`\n${signal}: stopping the aggregator and servers...`);
      void cleanUp().finally(() => process.exit(code));
    });
  }
}
