/**
 * The API token: 32 random bytes (base64url) in `api-token` in the profile directory, created
 * on first start with mode 0600 and reused after.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'api-token';

export function loadOrCreateToken(profileDir: string): string {
  const path = join(profileDir, TOKEN_FILE);
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(token)) {
      chmodSync(path, 0o600);
      return token;
    }
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, token + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
