// TCP port helpers: pick a free port, and refuse early (with a readable message) when a fixed
// port is taken, instead of letting a server die with a bind error buried in its log.
import { createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now (the OS picks it). Another process could take it
 * before we bind it; callers that pick ports this way retry on a bind failure.
 * @param {string} [host]
 * @returns {Promise<number>}
 */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves true when `port` can be bound on `host`, false when it is in use. */
export function isPortFree(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (/** @type {NodeJS.ErrnoException} */ error) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws an Error with `code: 'EADDRINUSE'` and `port` when the port is taken. `what` names the
 * server and `hint` says how to choose another port (an option or an environment variable).
 */
export async function assertPortFree(port, host, what, hint) {
  if (await isPortFree(port, host)) return;
  const summary = `${what}: port ${port} on ${host} is already in use (another instance still running?).`;
  // `summary` leaves the hint out, for callers that know a better one (an environment variable).
  throw Object.assign(new Error(`${summary} ${hint}`), { code: 'EADDRINUSE', port, summary });
}

/** True for the errors thrown by {@link assertPortFree} (and by servers that failed to bind). */
export function isPortInUseError(error) {
  return error instanceof Error && /** @type {{ code?: unknown }} */ (error).code === 'EADDRINUSE';
}
