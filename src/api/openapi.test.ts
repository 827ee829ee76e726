/** The committed OpenAPI document is the one the schemas generate (run scripts/openapi.ts after a change). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from './openapi.js';
import { API_ROUTES } from './routes.js';

test('docs/openapi.json is up to date with the zod schemas (regenerate: node --import tsx scripts/openapi.ts)', () => {
  const committed = readFileSync(fileURLToPath(new URL('../../docs/openapi.json', import.meta.url)), 'utf8');
  assert.equal(committed, openApiJson());
});

test('every route of the table is in the document, with its operation id and the bearer scheme', () => {
  const doc = JSON.parse(openApiJson()) as { paths: Record<string, Record<string, { operationId: string; security: unknown[] }>> };
  for (const r of API_ROUTES) {
    const op = doc.paths[r.path]?.[r.method];
    assert.ok(op, `${r.method} ${r.path}`);
    assert.equal(op.operationId, r.command);
    assert.deepEqual(op.security, [{ bearer: [] }]);
  }
  assert.ok(doc.paths['/api/events']?.get, 'the WebSocket is described');
});
