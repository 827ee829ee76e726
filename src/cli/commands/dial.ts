/**
 * `softphone dial [uri]`: the click-to-dial entry the desktop runs for sip:, sips:, tel: and
 * callto: links (packaging/softphone.desktop: `Exec=softphone dial %u`). It hands the link to
 * the engine already running for the profile (found through `engine.json`, see
 * api/engine-file.ts, with the profile's API token) as POST /api/calls, and prints the call id.
 * With no uri (a launch from the menu) it prints the UI's URL with the token, and opens it with
 * --open (a link never opens a browser tab: the call shows in the UI already open, if any).
 * Without a running engine it exits 1 and says how to start one.
 *
 * Light on purpose: it loads neither the engine nor the web server, only node:http.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Command } from 'commander';
import { pidAlive, readEngineFile } from '../../api/engine-file.js';
import { TOKEN_FILE } from '../../api/token.js';
import { defaultProfileDir } from '../../main/profile-dir.js';
import { dialTarget } from '../dial-target.js';
import { CliError } from '../errors.js';
import { openBrowser } from '../open-browser.js';

interface DialFlags {
  profile?: string;
  open?: boolean;
  account?: string;
}

export function dialCommand(program: Command): void {
  program
    .command('dial [uri]')
    .description('hand a sip:/tel: link or a number to the running engine (the desktop handler for sip: and tel: links); no uri: print the UI URL')
    .option('--profile <dir>', `the profile whose engine takes the call (default ${defaultProfileDir()})`)
    .option('--account <id>', 'place the call through this account (default: the default account)')
    .option('--open', 'with no uri: open the UI in the browser (what a menu launch does)')
    .action(async (uri: string | undefined, flags: DialFlags) => {
      await runDial(uri, flags);
    });
}

interface ApiAnswer {
  status: number;
  body: unknown;
}

/** One request to the engine's API on 127.0.0.1, with the Host and Origin its guard expects. */
function apiRequest(port: number, token: string, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          host: `127.0.0.1:${port}`,
          origin: `http://127.0.0.1:${port}`,
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from the engine within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

function errorMessage(body: unknown): string {
  const e = (body as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
  if (e && typeof e.message === 'string') return e.message;
  return typeof body === 'string' && body ? body.slice(0, 200) : 'no reason given';
}

export async function runDial(uri: string | undefined, flags: DialFlags): Promise<void> {
  const profileDir = flags.profile ?? defaultProfileDir();
  const notRunning = new CliError(
    `no softphone engine is running for profile ${profileDir}; start it with \`softphone${flags.profile ? ` --profile ${flags.profile}` : ''}\``,
    1,
  );

  // Check the link before looking for the engine: a bad link is a usage error either way.
  const target = uri === undefined ? undefined : dialTarget(uri);
  if (uri !== undefined && target === undefined) throw new CliError(`"${uri}" is not a number, a sip: or sips: URI or a tel: link`, 2);
  const accountId = flags.account === undefined ? undefined : Number(flags.account);
  if (accountId !== undefined && (!Number.isInteger(accountId) || accountId <= 0)) throw new CliError(`--account must be an account id, not "${flags.account}"`, 2);

  const engine = readEngineFile(profileDir);
  if (!engine || !pidAlive(engine.pid)) throw notRunning;
  let token: string;
  try {
    token = readFileSync(join(profileDir, TOKEN_FILE), 'utf8').trim();
  } catch {
    throw notRunning;
  }

  // Is it there, and is it this profile's engine (the token fits)?
  let state: ApiAnswer;
  try {
    state = await apiRequest(engine.port, token, 'GET', '/api/state');
  } catch (err) {
    // Nothing listens there: the engine is gone (a crash left engine.json behind).
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') throw notRunning;
    throw new CliError(`the engine on port ${engine.port} (pid ${engine.pid}) did not answer: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
  if (state.status === 401) throw new CliError(`the engine on port ${engine.port} refused this profile's token (${profileDir}): is engine.json stale?`, 1);
  if (state.status !== 200) throw new CliError(`the engine on port ${engine.port} answered ${state.status}: ${errorMessage(state.body)}`, 1);

  if (target === undefined) {
    const uiUrl = `http://127.0.0.1:${engine.port}/#token=${token}`;
    process.stdout.write(`${uiUrl}\n`);
    if (flags.open) openBrowser(uiUrl);
    return;
  }

  let answer: ApiAnswer;
  try {
    answer = await apiRequest(engine.port, token, 'POST', '/api/calls', accountId === undefined ? { target } : { target, accountId });
  } catch (err) {
    throw new CliError(`the engine did not take the call: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
  if (answer.status !== 201 && answer.status !== 200) throw new CliError(`the engine refused the call to ${target}: ${errorMessage(answer.body)}`, 1);
  const call = answer.body as { id?: unknown };
  if (typeof call.id !== 'string') throw new CliError('the engine answered without a call id', 1);
  process.stdout.write(`${call.id}\n`);
}
