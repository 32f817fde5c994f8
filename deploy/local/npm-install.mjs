// Installs npm dependencies when they are missing or stale, so `npm start` / `npm test` work on a
// fresh clone and after a pull that changed package-lock.json.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './process.mjs';

const STAMP = '.presence-install-stamp';

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * npm writes `node_modules/.package-lock.json` at the end of every install; when it is not older
 * than package-lock.json, someone installed by hand after the last lock change. Trusting that
 * avoids a needless `npm ci` (minutes) the first time this runs in an existing checkout.
 */
function installedAfterLockChange(root, lockPath) {
  const hidden = join(root, 'node_modules', '.package-lock.json');
  return existsSync(hidden) && statSync(hidden).mtimeMs >= statSync(lockPath).mtimeMs;
}

/**
 * Makes sure `root/node_modules` matches `root/package-lock.json`: runs `npm ci` when
 * node_modules is missing or the lock file changed since the last install (its sha256 is kept in
 * `node_modules/.presence-install-stamp`), or `npm install` when there is no lock file. Outside
 * CI, a failing `npm ci` falls back to `npm install`. npm's output streams to the terminal. Set
 * PRESENCE_SKIP_INSTALL=1 to skip the check entirely.
 * @param {string} root
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<void>}
 */
export async function ensureNodeModules(root, { log = () => undefined } = {}) {
  if (process.env.PRESENCE_SKIP_INSTALL === '1') return;
  const lockPath = join(root, 'package-lock.json');
  const modules = join(root, 'node_modules');
  const stampPath = join(modules, STAMP);
  const hasLock = existsSync(lockPath);
  const lockHash = hasLock ? sha256(lockPath) : 'no-lock-file';

  if (existsSync(modules)) {
    if (!hasLock) return; // nothing to compare against: leave a hand-made install alone
    const stamp = existsSync(stampPath) ? readFileSync(stampPath, 'utf8').trim() : '';
    if (stamp === lockHash) return;
    if (installedAfterLockChange(root, lockPath)) {
      writeFileSync(stampPath, `${lockHash}\n`);
      return;
    }
    log('package-lock.json changed since the last install');
  }

  const npm = (command) =>
    run(process.platform === 'win32' ? 'npm.cmd' : 'npm', [command, '--no-audit', '--no-fund'], {
      cwd: root,
      inherit: true,
    });
  if (!hasLock) {
    log('installing npm dependencies (npm install, no package-lock.json)...');
    await npm('install');
  } else {
    log('installing npm dependencies (npm ci)...');
    await npm('ci').catch(async (error) => {
      // npm ci refuses a lock file that is out of sync with package.json (often: platform
      // packages the registry mirror lacks). CI must fail on that; a developer should get going.
      if (process.env.CI) throw error;
      log(
        'npm ci failed (see above); falling back to `npm install`, which may rewrite package-lock.json: commit or report it',
      );
      await npm('install');
    });
  }
  // Hash again: a fallback `npm install` may have rewritten the lock file. (An install without
  // dependencies creates no node_modules.)
  mkdirSync(modules, { recursive: true });
  writeFileSync(stampPath, `${existsSync(lockPath) ? sha256(lockPath) : lockHash}\n`);
  log('npm dependencies installed');
}
