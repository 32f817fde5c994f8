/**
 * Key under which the global setup provides the superuser URL of the test PostgreSQL server,
 * read back in test workers with `inject(POSTGRES_ADMIN_URL)`.
 */
export const POSTGRES_ADMIN_URL = 'postgresAdminUrl';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://postgres@127.0.0.1:<port>/postgres` of the throwaway (or given) server. */
    postgresAdminUrl: string;
  }
}
