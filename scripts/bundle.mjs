#!/usr/bin/env node
// The `softphone` command as shipped: src/cli/main.ts and what it imports bundled by esbuild
// into dist/bin/ (one file per lazily loaded command, shared chunks, and the media worker's
// entry beside them). Node then reads a handful of files at start instead of ~310 modules,
// which halves the time to registered and saves memory (docs/bench-footprint.md,
// docs/decisions.md "Bundling the command"). The library (dist/index.js and its .d.ts) stays
// plain tsc output. better-sqlite3's JavaScript is bundled; its native addon stays in
// node_modules and is opened by path (src/phone/store/database.ts).
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const outdir = 'dist/bin';
rmSync(outdir, { recursive: true, force: true });
const common = {
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The ESM builds of the packages (zod's, for one, lets unused locales be left out).
  mainFields: ['module', 'main'],
  external: ['bindings'],
  // The CommonJS packages inside the bundle (commander, ws) call require() for node: modules,
  // through esbuild's helper in one chunk. Every chunk gets the banner, so it makes its require
  // on first use: the others do not each run createRequire as they load.
  banner: { js: "import { createRequire as __softphoneRequire } from 'node:module';\nlet __softphoneR;\nconst require = (id) => (__softphoneR ??= __softphoneRequire(import.meta.url))(id);" },
  // Whitespace and syntax minified, names kept: start → REGISTER sent 150 → 100 ms here (less
  // source for V8 to scan at load), and stack traces still name functions. The linked source
  // maps point into src/: `node --enable-source-maps dist/bin/softphone.js` for line numbers.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'linked',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: { softphone: 'src/cli/main.ts' }, splitting: true });
// The media worker's entry in a build of its own, one file: it runs in its own isolate, so it
// shares no module instance with the command anyway, and in the command's build it split the
// modules both use into more, smaller chunks. 14 → 12 files before the engine's first REGISTER,
// spawn → REGISTER authenticated 128 → 118 ms median (A/B, 15 runs each).
await build({ ...common, entryPoints: { 'media-worker-main': 'src/platform/node/media-worker-main.ts' }, splitting: false });
chmodSync(`${outdir}/softphone.js`, 0o755);
