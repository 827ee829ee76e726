/**
 * `engine.json` in the profile directory: where the running engine of that profile listens,
 * so `softphone dial` (the desktop's sip:/tel: handler) can find it. Written with mode 0600
 * once the API listens, removed on a clean exit. A file left by a crash is recognised as stale
 * (its pid is gone, or nothing answers on its port).
 */
import { chmodSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ENGINE_FILE = 'engine.json';

export interface EngineFile {
  /** HTTP port of the API and UI on 127.0.0.1. */
  port: number;
  pid: number;
  /** http://127.0.0.1:PORT/ (without the token). */
  url: string;
  startedAt: number;
}

export function writeEngineFile(profileDir: string, info: EngineFile): void {
  const path = join(profileDir, ENGINE_FILE);
  writeFileSync(path, JSON.stringify(info) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The engine file of a profile, or undefined when there is none (or it is not one of ours). */
export function readEngineFile(profileDir: string): EngineFile | undefined {
  let text: string;
  try {
    text = readFileSync(join(profileDir, ENGINE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<EngineFile>;
    if (!Number.isInteger(v.port) || !Number.isInteger(v.pid) || (v.port as number) <= 0 || (v.port as number) > 65535) return undefined;
    return { port: v.port as number, pid: v.pid as number, url: typeof v.url === 'string' ? v.url : `http://127.0.0.1:${v.port}/`, startedAt: Number(v.startedAt) || 0 };
  } catch {
    return undefined;
  }
}

/** Removes the engine file if it is still this process's (another engine may have replaced it). */
export function removeEngineFile(profileDir: string, pid = process.pid): void {
  if (readEngineFile(profileDir)?.pid !== pid) return;
  try {
    unlinkSync(join(profileDir, ENGINE_FILE));
  } catch {
    // already gone
  }
}

/** True when a process with this pid exists (EPERM: it exists but is someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
