// Writes the API's OpenAPI document (generated from the zod schemas) to docs/openapi.json.
// Run: node --import tsx scripts/openapi.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../src/api/openapi.js';

const out = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
writeFileSync(out, openApiJson());
console.log(`wrote ${out}`);
