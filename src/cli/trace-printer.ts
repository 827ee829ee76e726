import type { TraceEvent } from '../sip/trace.js';
import type { UserAgent } from '../sip/user-agent.js';

/** --trace: every message, redacted by the UA before it gets here, on stderr. */
export function printTrace(ua: UserAgent, out: NodeJS.WritableStream = process.stderr): void {
  ua.on('trace', (t: TraceEvent) => {
    const arrow = t.direction === 'out' ? `>>> sent to ${t.remote} from ${t.local}` : `<<< received from ${t.remote} on ${t.local}`;
    out.write(`${arrow}\n${t.text.replace(/\r\n/g, '\n')}\n`);
  });
}
