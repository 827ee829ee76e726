/**
 * The API's OpenAPI 3.1 document, generated from the route table and the zod schemas of the
 * command registry (routes.ts). `scripts/openapi.ts` writes it to docs/openapi.json; a test
 * checks that the committed file is up to date.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { describeRoutes } from './routes.js';

export function openApiDocument(): Record<string, unknown> {
  const app = new OpenAPIHono();
  describeRoutes(app.openAPIRegistry);
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'softphone engine API',
      version: '0.1.0',
      description:
        'The local API of the softphone engine, on 127.0.0.1 only. Every /api request needs the token ' +
        '(Authorization: Bearer <token>; the WebSocket may use ?token=). Requests with a foreign Origin or Host get 403. ' +
        'Errors are {error: {code, message, issues?}}.',
    },
    security: [{ bearer: [] }],
  }) as unknown as Record<string, unknown>;
}

/** The document as committed: two-space JSON and a final newline. */
export function openApiJson(): string {
  return JSON.stringify(openApiDocument(), null, 2) + '\n';
}
