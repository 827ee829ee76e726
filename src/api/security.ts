/**
 * Who may talk to the engine. The API listens on loopback, but any web page the user opens
 * can send requests to 127.0.0.1, and a DNS name re-pointed at 127.0.0.1 makes them look
 * same-origin (DNS rebinding). So, for every request (the WebSocket upgrade included):
 *   - Host must be 127.0.0.1:PORT, localhost:PORT or [::1]:PORT, else 403 (rebinding);
 *   - Origin, when present, must be this engine's own origin, else 403 (cross-site);
 *   - /api/ requests need the token: `Authorization: Bearer <token>`; the WebSocket, which
 *     browsers cannot give headers, may carry it as `?token=`. Missing or wrong: 401.
 * The static UI is served without the token (it holds no data); the calls it makes need it.
 */
import { refusal } from './errors.js';

export interface GuardInput {
  path: string;
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
  /** The `token` query parameter (honoured for the WebSocket only). */
  tokenParam: string | undefined;
  websocket: boolean;
}

export interface GuardConfig {
  token: string;
  /** The port the server listens on (known once it listens). */
  port: () => number;
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** undefined: let it through; else the refusal to send. */
export function guard(input: GuardInput, config: GuardConfig): ReturnType<typeof refusal> | undefined {
  const port = config.port();
  if (!input.host || !allowedHosts(port).includes(input.host.toLowerCase())) {
    return refusal(403, 'forbidden-host', 'this engine answers only to 127.0.0.1, localhost or [::1] with its own port');
  }
  if (input.origin !== undefined && !allowedOrigins(port).includes(input.origin.toLowerCase())) {
    return refusal(403, 'forbidden-origin', 'requests from other origins are refused');
  }
  if (!input.path.startsWith('/api/') && input.path !== '/api') return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? '')?.[1];
  const given = bearer ?? (input.websocket ? input.tokenParam : undefined);
  if (given === undefined) return refusal(401, 'token-required', 'this API needs the token: Authorization: Bearer <token> (the URL printed at start carries it)');
  if (!sameSecret(given, config.token)) return refusal(401, 'token-invalid', 'wrong token');
  return undefined;
}
