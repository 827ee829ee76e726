/**
 * Errors of the phone's persistent store. Programmer errors (a bad argument, an unknown id)
 * and unusable files (a database from a newer version, a damaged key file) throw `StoreError`
 * with a stable `code`; parsers of user files (contacts import) return results instead.
 */
export type StoreErrorCode =
  /** The database file or its directory could not be opened or created. */
  | 'store-open-failed'
  /** The database was written by a newer softphone (its user_version is above ours). */
  | 'schema-too-new'
  /** A migration failed; it was rolled back and the database is at the previous version. */
  | 'migration-failed'
  /** An argument was out of range or malformed. */
  | 'invalid-argument'
  /** No row with that id. */
  | 'not-found'
  /** A unique value (an account's AOR) is already taken. */
  | 'conflict'
  /** A setting value did not pass its validator. */
  | 'invalid-setting'
  /** The secret key file exists but is not a key we wrote (wrong size). */
  | 'key-file-invalid'
  /** A stored password could not be decrypted (another key file, or a tampered row). */
  | 'password-undecryptable'
  /** The store was used after close(). */
  | 'store-closed';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
