/**
 * Where a profile lives by default. Kept apart from node-engine.ts so commands that only need
 * the path (`softphone dial`) do not load the engine.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the profile goes: $XDG_DATA_HOME/softphone (~/.local/share/softphone) on Linux,
 * ~/Library/Application Support/softphone on macOS, %APPDATA%\softphone on Windows. */
export function defaultProfileDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'softphone');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'softphone');
  const xdg = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(xdg, 'softphone');
}
