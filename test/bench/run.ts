// `npm run bench`: runs every test/bench/*.bench.ts (or those named on the command
// line) one after another and prints their tables. Each bench module exports
// `run(): Promise<void>` and prints ratios against baselines it runs side by side.
import * as fs from 'node:fs';
import * as path from 'node:path';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  for (const f of files) {
    process.stdout.write(`\n## ${f.replace('.bench.ts', '')}\n`);
    const mod = (await import(path.join(__dirname, f))) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
