/**
 * Run a short-lived audio tool (pactl, arecord -L) to completion with a time limit, in the C
 * locale so its text output parses the same everywhere.
 */
import { execFile } from 'node:child_process';

export interface ToolResult {
  /** Exit code; null when it could not start, was killed or timed out. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run (ENOENT, a timeout), when it did not. */
  error?: string;
}

export function toolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, LC_ALL: 'C', LANG: 'C' };
}

export function runTool(command: string, args: string[], opts: { env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env: toolEnv(opts.env), timeout: opts.timeoutMs ?? 3000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
      const code = typeof e.code === 'number' ? e.code : null;
      const why = e.code === 'ENOENT' ? `${command} is not installed` : e.killed ? `${command} timed out` : undefined;
      resolve({ code, stdout: stdout ?? '', stderr: stderr ?? '', ...(why ? { error: why } : code === null ? { error: e.message } : {}) });
    });
  });
}
