// Creates a database with psql, so it works before `npm install` (no pg driver needed).
import { join } from 'node:path';
import { run } from './process.mjs';

/**
 * Creates database `name` unless it exists, using psql from `binDir` against the server of
 * `adminUrl` (a superuser URL). Idempotent, also when two callers race. Resolves with the URL of
 * the database.
 */
export async function createDatabase({ binDir, adminUrl, name }) {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name))
    throw new Error(`invalid database name ${JSON.stringify(name)}: use letters, digits, _ and -`);
  const url = new URL(adminUrl);
  const psql = binDir ? join(binDir, 'psql') : 'psql';
  const connection = [
    '-h',
    url.hostname.replace(/^\[|\]$/g, ''),
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username) || 'postgres',
  ];
  const args = [
    ...connection,
    '-d',
    decodeURIComponent(url.pathname.slice(1)) || 'postgres',
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-tA',
    '-c',
  ];
  const env = {
    ...process.env,
    PGCONNECT_TIMEOUT: '10',
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
  };
  const exists = await run(psql, [...args, `SELECT 1 FROM pg_database WHERE datname = '${name}'`], {
    env,
  });
  if (exists.trim() !== '1') {
    await run(psql, [...args, `CREATE DATABASE "${name}"`], { env }).catch((error) => {
      if (!/already exists/.test(error.output ?? '')) throw error;
    });
  }
  const database = new URL(adminUrl);
  database.pathname = `/${name}`;
  return database.toString();
}
