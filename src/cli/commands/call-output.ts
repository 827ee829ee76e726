/** What `call` and `listen` print about a call as it goes. */
import type { Call } from '../../phone/call.js';
import type { MediaStreamStats } from '../../media/call-stats.js';

export function watchCall(call: Call, out: NodeJS.WritableStream, prefix = ''): void {
  call.on('state', (e) => {
    switch (e.state) {
      case 'ringing':
        out.write(`${prefix}ringing (${e.status})\n`);
        break;
      case 'early':
        out.write(`${prefix}early media (${e.status}): ${e.codec ?? ''}\n`);
        break;
      case 'established':
        // A late offer (our offer in the 200) has no codec until the ACK brings the answer.
        out.write(`${prefix}answered: ${e.codec ?? 'audio once the answer arrives in the ACK'}\n`);
        break;
      default:
        break;
    }
  });
  call.on('media', (e) => out.write(`${prefix}audio: ${e.codec ?? 'none'}\n`));
  call.on('dtmf', (d) => out.write(`${prefix}dtmf received: ${d.digit} (${d.via === 'info' ? 'SIP INFO' : 'RFC 4733'})\n`));
  call.on('hold', (h) => out.write(`${prefix}${h.remote ? 'held by the other side' : h.local ? 'on hold' : 'resumed'}\n`));
}

export function describeStats(s: MediaStreamStats): string {
  const lossPct = s.packetsReceived + s.packetsLost > 0 ? ((100 * s.packetsLost) / (s.packetsReceived + s.packetsLost)).toFixed(1) : '0.0';
  const rtt = s.rttMs === undefined ? '' : `, rtt ${s.rttMs.toFixed(1)} ms`;
  return `${s.codec}, sent ${s.packetsSent} packets, received ${s.packetsReceived}, lost ${s.packetsLost} (${lossPct}%), late ${s.packetsLate}, jitter ${s.jitterMs.toFixed(1)} ms${rtt}`;
}
