#!/usr/bin/env node
'use strict';
// The analysing commands run where V8 compiles hot code synchronously, which costs a one-shot
// analysis less CPU (src/core/analysis/worker/isolate.ts): in a worker thread started that
// way, or in this thread when node was started with --no-concurrent-recompilation (no
// worker's start-up then). The #! line cannot pass that flag everywhere: `env -S` is GNU and
// BSD, not BusyBox (Alpine), whose env would refuse to start the command at all.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('lvs-trace: dist/cli.js is missing; run `npm run build` in the project folder first.\n');
  process.exit(2);
}
// A reader that stops early (`| head`) ends the output, not the command: no stack trace for
// the closed pipe, and the command goes on to its own exit status (`lint FILE | head` still
// exits 1 on an error diagnostic, for `set -o pipefail`). What is written after is dropped;
// the commands with long output stop producing it (src/cli/output.ts).
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
  throw e;
});
require(bundle)
  .main(process.argv.slice(2), { bundle })
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`lvs-trace: ${e && e.message}\n`);
      process.exitCode = 2;
    },
  );
