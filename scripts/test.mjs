#!/usr/bin/env node
// `npm test` after build, typecheck and lint: makes sure the real test peers are installed
// (installing the Debian packages when running as root on Debian), then runs every
// *.test.ts under src/ and test/ with Node's test runner. Peers that are missing and cannot
// be installed are named here, and the tests that need them report themselves as skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
// The one list of peers, their binaries and Debian packages, shared with the tests' skips.
import { PEER_INFO } from '../test/support/peers.ts';

const PEERS = Object.entries(PEER_INFO).map(([name, info]) => ({
  name,
  binaries: [...info.binaries, ...(info.files ?? [])],
  packages: info.packages,
}));

const missing = () => PEERS.filter((p) => !p.binaries.every((b) => existsSync(b)));

let absent = missing();
const isRoot = process.getuid?.() === 0;
const isDebian = existsSync('/etc/debian_version');
if (absent.length && isRoot && isDebian && !process.env.SOFTPHONE_NO_INSTALL) {
  const pkgs = [...new Set(absent.flatMap((p) => p.packages))];
  console.log(`test peers: installing Debian packages ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  absent = missing();
}
if (absent.length) {
  console.log(`test peers MISSING (their interop tests will be skipped): ${absent.map((p) => p.name).join(', ')}`);
  console.log(`  install them with: apt-get install ${[...new Set(absent.flatMap((p) => p.packages))].join(' ')}`);
} else {
  console.log(`test peers: all present (${PEERS.map((p) => p.name).join(', ')})`);
}

function findTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...findTests('src'), ...findTests('test')].sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, SOFTPHONE_MISSING_PEERS: absent.map((p) => p.name).join(',') },
});
process.exit(r.status ?? 1);
