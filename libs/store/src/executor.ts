import type { Kysely, Transaction } from 'kysely';

/**
 * A database or an open transaction. Helpers that run plain statements accept either; the union
 * (rather than `Kysely<DB>` alone, which Transaction extends) is what lets TypeScript infer `DB`
 * from a `Transaction<DB>` argument.
 */
export type DatabaseOrTransaction<DB> = Kysely<DB> | Transaction<DB>;
