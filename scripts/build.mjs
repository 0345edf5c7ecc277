// Bundles the extension host code, the CLI and the webview front end with esbuild.
// `--watch` keeps rebuilding; `--production` minifies the extension and webview.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

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
