/**
 * Sealing account passwords with AES-256-GCM under a key kept in its own file.
 *
 * Threat model, honestly:
 * - Protects against the database file leaving the profile on its own: copied into a bug
 *   report, a backup of the data directory without the key file, synced to another machine,
 *   read by a support tool or `sqlite3 phone.db .dump`. The password is not in it in plain
 *   text, and GCM's tag (with the account id as associated data) detects a tampered or
 *   swapped ciphertext.
 * - Does NOT protect against anything that can read the key file too: the same user's other
 *   programs, malware running as that user, root, or a backup that includes the whole profile
 *   directory. The key sits beside the database (0600, in a 0700 directory) because the phone
 *   must register unattended at start; a system keyring (libsecret, Keychain) would raise the
 *   bar to "an unlocked session", and could replace this file behind the same interface.
 * - The file permissions (0600 files, 0700 directory) are what keep other local users out.
 *
 * Sealed format: version byte (1) | 12-byte random IV | 16-byte GCM tag | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { FILE_MODE } from './database.js';
import { StoreError } from './errors.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_V1 = 1;

export class SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /**
   * Reads the key from `file`, or creates it (32 random bytes, mode 0600, exclusively so
   * two processes starting together agree on one key).
   */
  static loadOrCreate(file: string): SecretBox {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'wx', FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError('store-open-failed', `cannot create the key file ${file}: ${String(e)}`, { cause: e });
      }
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, randomBytes(KEY_BYTES));
      } finally {
        closeSync(fd);
      }
    }
    if ((statSync(file).mode & 0o777) !== FILE_MODE) chmodSync(file, FILE_MODE);
    const key = readFileSync(file);
    if (key.length !== KEY_BYTES) {
      throw new StoreError('key-file-invalid', `the key file ${file} holds ${key.length} bytes, not ${KEY_BYTES}; it was not written by softphone`);
    }
    return new SecretBox(key);
  }

  /** Encrypts `plaintext`, bound to `context` (e.g. "account:3") so it cannot be moved elsewhere. */
  seal(plaintext: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), body]);
  }

  /** Decrypts what `seal` made with the same key and context; throws `password-undecryptable`. */
  open(sealed: Uint8Array, context: string): string {
    const data = Buffer.from(sealed);
    if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT_V1) {
      throw new StoreError('password-undecryptable', `sealed secret for ${context} is malformed`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new StoreError(
        'password-undecryptable',
        `the stored secret for ${context} cannot be decrypted (another key file, or the row was altered); enter the password again`,
        { cause },
      );
    }
  }

  /** Never print the key. */
  toJSON(): string {
    return '[SecretBox]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[SecretBox]';
  }
}
