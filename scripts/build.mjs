// Bundles the extension host code, the CLI and the webview front end with esbuild.
// `--watch` keeps rebuilding; `--production` minifies the extension and webview.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Each entry is built only when its source exists, so a partial checkout still builds. */
const targets = [
  {
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  },
  {
    // Analyses run in this worker thread, off the extension host (src/core/analysis/worker).
    entryPoints: ['src/core/analysis/worker/entry.ts'],
    outfile: 'dist/analysisWorker.js',
    platform: 'node',
    format: 'cjs',
  },
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    external: ['cpu-features', './crypto/build/Release/sshcrypto.node'],
  },
  {
    entryPoints: ['media/flow/main.ts'],
    outfile: 'dist/media/flow.js',
    platform: 'browser',
    format: 'iife',
  },
  {
    // The flow view's stylesheet, served beside flow.js from dist/media.
    entryPoints: ['media/flow/flow.css'],
    outfile: 'dist/media/flow.css',
    platform: 'browser',
  },
].filter((t) => existsSync(t.entryPoints[0]));

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  target: 'node20',
  logLevel: 'warning',
};

for (const t of targets) {
  const opts = { ...common, ...t, target: t.platform === 'browser' ? 'es2022' : 'node20' };
  if (watch) {
    const ctx = await esbuild.context(opts);
    await ctx.watch();
  } else {
    await esbuild.build(opts);
  }
}

// ssh2 loads its native crypto binding (compiled by npm for this node) from a path relative to
// the module, which in a bundle is dist/: without a copy there the CLI silently runs ssh2's
// slower fallbacks. (The extension host runs Electron, whose ABI differs: there the require
// fails, as ssh2 expects, and the fallbacks run; the vsix does not ship the file.)
const sshCrypto = 'node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node';
if (existsSync(sshCrypto)) {
  mkdirSync('dist/crypto/build/Release', { recursive: true });
  copyFileSync(sshCrypto, 'dist/crypto/build/Release/sshcrypto.node');
}
