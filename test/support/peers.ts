// Which real peers this machine has, so an interop test can skip itself with a clear message
// instead of failing when a peer is not installed.
//
// A peer is missing when one of its binaries does not exist, or when scripts/test.mjs named
// it in SOFTPHONE_MISSING_PEERS (a comma-separated list of names from scripts/peers.mjs).
//
//   test('registers alice', { skip: skipUnless('kamailio', 'sipp') }, async (t) => { ... });
import { existsSync } from 'node:fs';

export type PeerName = 'kamailio' | 'kamcmd' | 'sipp' | 'baresip' | 'openssl' | 'dnsmasq' | 'coturn' | 'tshark' | 'sox' | 'chromium' | 'pulseaudio';

interface PeerInfo {
  binaries: string[];
  packages: string[];
  /** Extra files the harness needs (modules). */
  files?: string[];
}

export const KAMAILIO_MODULES_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
export const BARESIP_MODULES_DIR = '/usr/lib/baresip/modules';

export const PEER_INFO: Record<PeerName, PeerInfo> = {
  kamailio: {
    binaries: ['/usr/sbin/kamailio', '/usr/sbin/kamcmd', '/usr/bin/openssl'],
    packages: ['kamailio', 'kamailio-tls-modules', 'kamailio-utils-modules', 'openssl'],
    files: [`${KAMAILIO_MODULES_DIR}/tls.so`, `${KAMAILIO_MODULES_DIR}/db_text.so`, `${KAMAILIO_MODULES_DIR}/ctl.so`],
  },
  kamcmd: { binaries: ['/usr/sbin/kamcmd'], packages: ['kamailio'] },
  sipp: { binaries: ['/usr/bin/sipp'], packages: ['sip-tester'] },
  baresip: {
    binaries: ['/usr/bin/baresip'],
    packages: ['baresip-core'],
    files: [`${BARESIP_MODULES_DIR}/ctrl_tcp.so`, `${BARESIP_MODULES_DIR}/aufile.so`, `${BARESIP_MODULES_DIR}/g711.so`],
  },
  openssl: { binaries: ['/usr/bin/openssl'], packages: ['openssl'] },
  dnsmasq: { binaries: ['/usr/sbin/dnsmasq'], packages: ['dnsmasq-base'] },
  coturn: { binaries: ['/usr/bin/turnserver'], packages: ['coturn'] },
  tshark: { binaries: ['/usr/bin/tshark'], packages: ['tshark'] },
  sox: { binaries: ['/usr/bin/sox'], packages: ['sox'] },
  /** The browser for the web UI's end-to-end tests (Playwright drives it; its own download cannot run here). */
  chromium: { binaries: ['/usr/bin/chromium'], packages: ['chromium'] },
  /** A sound server for the system-audio tests (null sinks, parec/pacat). */
  pulseaudio: { binaries: ['/usr/bin/pulseaudio', '/usr/bin/pactl', '/usr/bin/parec', '/usr/bin/pacat'], packages: ['pulseaudio', 'pulseaudio-utils', 'alsa-utils'] },
};

function missingFromEnv(): Set<string> {
  return new Set(
    (process.env.SOFTPHONE_MISSING_PEERS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** Why `name` cannot run here, or undefined when it can. */
export function peerMissingReason(name: PeerName): string | undefined {
  const info = PEER_INFO[name];
  if (missingFromEnv().has(name)) {
    return `peer ${name} is missing (SOFTPHONE_MISSING_PEERS); install: apt-get install ${info.packages.join(' ')}`;
  }
  const absent = [...info.binaries, ...(info.files ?? [])].filter((f) => !existsSync(f));
  if (absent.length) return `peer ${name} is missing (${absent.join(', ')} not found); install: apt-get install ${info.packages.join(' ')}`;
  return undefined;
}

export function peerAvailable(name: PeerName): boolean {
  return peerMissingReason(name) === undefined;
}

/**
 * For node:test's `skip` option: false when every peer is present, else the reason string
 * (node:test prints it as the skip message).
 */
export function skipUnless(...names: PeerName[]): string | false {
  const reasons = names.map(peerMissingReason).filter((r): r is string => r !== undefined);
  return reasons.length ? reasons.join('; ') : false;
}
