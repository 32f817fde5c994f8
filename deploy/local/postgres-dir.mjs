// Data directory chores around a private PostgreSQL cluster: ownership when we run as root,
// permission checks with a readable error, and clusters left over from earlier runs.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { isRoot, run } from './process.mjs';

/** uid and gid of the `postgres` user, from /etc/passwd. */
function postgresUser() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) {
    throw new Error(
      'PostgreSQL refuses to run as root and there is no "postgres" user to run it as. Install the Debian package "postgresql" (it creates the user) or run as a normal user.',
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The first ancestor of `path` that "others" cannot enter, for the error message. */
function blockingAncestor(path) {
  const ancestors = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  return ancestors.find((dir) => existsSync(dir) && (statSync(dir).mode & 0o001) === 0);
}

/**
 * Creates `dir` and the log file. As root, PostgreSQL runs as `postgres`: both then belong to
 * postgres, and postgres must be able to reach them through every parent directory (a data dir
 * under /root, mode 0700, is the usual trap), which we check up front for a clear message.
 */
export async function prepareDataDir(dir, logFile) {
  mkdirSync(dirname(dir), { recursive: true }); // parents with the default mode, only dir private
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(logFile), { recursive: true });
  if (!existsSync(logFile)) writeFileSync(logFile, '');
  if (!isRoot()) return;
  const { uid } = postgresUser();
  if (statSync(dir).uid !== uid) await run('chown', ['-R', 'postgres:postgres', dir]);
  if (statSync(logFile).uid !== uid) await run('chown', ['postgres:postgres', logFile]);
  const canUse = await run(
    'runuser',
    ['-u', 'postgres', '--', 'test', '-w', dir, '-a', '-x', dir, '-a', '-w', logFile],
    { cwd: '/' },
  ).then(
    () => true,
    () => false,
  );
  if (!canUse) {
    const blocker = blockingAncestor(dir);
    const why = blocker
      ? `it cannot enter ${blocker} (mode ${(statSync(blocker).mode & 0o777).toString(8)})`
      : 'permission denied';
    throw new Error(
      `PostgreSQL runs as the user "postgres" (we are root), but ${why}, so it cannot use ${dir}. ` +
        `Choose a data directory postgres can reach (e.g. under /tmp or /srv)${blocker ? `, or run: chmod o+x ${blocker}` : ''}.`,
    );
  }
}

/** True when `pid` is a live postgres server whose data directory is `dir`. */
function isServerOf(pid, dir) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false; // ESRCH: no such process
  }
  // PIDs are reused (containers restart from small numbers, other clusters run here): a
  // postmaster's working directory is its data directory, so compare that where /proc tells us.
  try {
    return realpathSync(`/proc/${pid}/cwd`) === realpathSync(dir);
  } catch {
    return !existsSync('/proc/self'); // no /proc (macOS): trust the pid file
  }
}

/**
 * Deals with a postmaster.pid found in `dir`: when its server is gone (crash, reboot, container
 * restart) the file is stale and removed; when the server is still running (left over from an
 * earlier run that was killed), it is stopped, because we restart the cluster with our own
 * settings (port, durability) instead of guessing what the old one was started with.
 */
export async function clearLeftoverServer(dir, pgCtl, log) {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isServerOf(pid, dir)) {
    log(
      `PostgreSQL is already running on ${dir} (PID ${pid}, left over from an earlier run?): stopping it to restart with our settings...`,
    );
    await pgCtl(['stop', '-D', dir, '-m', 'fast', '-w', '-t', '60']);
  } else {
    log(`removing stale ${pidFile} (PID ${pid} is not a running PostgreSQL server)`);
    unlinkSync(pidFile);
  }
}
