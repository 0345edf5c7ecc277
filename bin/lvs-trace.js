#!/usr/bin/env -S node --no-concurrent-recompilation
'use strict';
// The flag: V8 compiles hot code synchronously in this process, which costs a one-shot
// analysis less CPU (src/core/analysis/worker/isolate.ts). Started as `node bin/lvs-trace.js`,
// without it, the analysing commands run in a worker thread that compiles that way instead.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('lvs-trace: dist/cli.js is missing; run `npm run build` in the project folder first.\n');
  process.exit(2);
}
// A reader that stops early (`| head`) ends the output: no stack trace for the closed pipe.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
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
