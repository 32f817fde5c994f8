// A nats-server left running by an earlier `npm start` that was killed (SIGKILL, a crash) still
// holds the ports and the store: stop it, as we do for a leftover PostgreSQL on the same dir.
import { existsSync, readFileSync } from 'node:fs';
import { sleep } from './process.mjs';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** True when `pid` runs nats-server with `configFile` (PIDs are reused: check, never assume). */
function runsConfig(pid, configFile) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(configFile);
  } catch {
    return false; // no /proc (macOS) or not ours: leave it alone; a busy port is reported later
  }
}

/**
 * Stops the nats-server recorded in `pidFile` if it still runs with `configFile`: SIGTERM, then
 * SIGKILL after 5 s.
 */
export async function stopLeftoverNats(pidFile, configFile, log) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !runsConfig(pid, configFile)) return;
  log(
    `nats-server is already running with ${configFile} (PID ${pid}, left over from an earlier run?): stopping it...`,
  );
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; alive(pid); waited += 50) {
    if (waited >= 5_000) process.kill(pid, 'SIGKILL');
    await sleep(50);
  }
}
