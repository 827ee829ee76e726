/** Opens a URL in the desktop's browser (xdg-open, open, start), without waiting for it. */
import { spawn } from 'node:child_process';

export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`softphone: could not open a browser (${cmd}); open the URL above yourself\n`));
  child.unref();
}
