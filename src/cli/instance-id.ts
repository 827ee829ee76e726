// The +sip.instance of the command line's registrations (RFC 5626 §4.1).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';

/** The namespace of softphone's name-based instance UUIDs (chosen once, at random). */
const NAMESPACE = 'dc7eb06a-58bf-48b6-bfca-8df351bda078';

/**
 * RFC 5626 §4.1: a UA keeps its instance id across restarts, so that a registrar replaces its
 * binding instead of adding one. The command line keeps no state between runs, so it derives the
 * id: a name-based UUID (RFC 4122 §4.3, SHA-1) of the machine's id, the user and the AOR. Each
 * `softphone register --once` of one AOR from one machine and user then refreshes one binding;
 * with a new random id each run, every run left a binding behind until it expired (and Kamailio,
 * at its max_contacts, refused the eleventh run with 503).
 */
export function commandLineInstanceId(aor: string, machine: string = machineId()): string {
  const ns = Buffer.from(NAMESPACE.replaceAll('-', ''), 'hex');
  const h = createHash('sha1').update(ns).update(`${machine}\n${user()}\n${aor}`).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const s = h.toString('hex');
  return `urn:uuid:${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** The OS's id of this installation (systemd's, else D-Bus's), else the host name. */
function machineId(): string {
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      // not on this system
    }
  }
  return hostname();
}

function user(): string {
  try {
    return userInfo().username;
  } catch {
    // no passwd entry (some containers)
    return String(process.getuid?.() ?? '');
  }
}
