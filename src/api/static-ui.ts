/**
 * The web UI's files (web/dist, built by Vite) served as they are, with the single-page app's
 * index.html for any other path; a short page says so when the UI has not been built.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** web/dist of this checkout (the same from src/api and from dist/api). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>softphone</title>
<h1>softphone is running</h1>
<p>The web UI is not built: <code>web/dist/</code> is missing. Build the UI (Vite, in <code>web/</code>), then reload this page.</p>
<p>The API is at <code>/api/</code> (see <code>docs/openapi.json</code>).</p>`;

export interface StaticFile {
  status: number;
  type: string;
  body: Uint8Array | string;
  cache: string;
}

/** The file for a GET of `path` (already URL-decoded by the router), or the fallback. */
export function staticFile(webDir: string, path: string): StaticFile {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) return { status: 200, type: TYPES['.html']!, body: NOT_BUILT, cache: 'no-store' };
  const rel = normalize(decodeURIComponent(path)).replace(/^([/\\])+/, '');
  const file = join(webDir, rel);
  if ((file + sep).startsWith(webDir.endsWith(sep) ? webDir : webDir + sep) && rel && existsSync(file) && statSync(file).isFile()) {
    const hashed = /[.-][A-Za-z0-9_-]{8,}\.\w+$/.test(rel);
    return { status: 200, type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', body: readFileSync(file), cache: hashed ? 'public, max-age=31536000, immutable' : 'no-cache' };
  }
  return { status: 200, type: TYPES['.html']!, body: readFileSync(index), cache: 'no-cache' };
}
