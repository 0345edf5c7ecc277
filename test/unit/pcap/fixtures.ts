// Every capture file under the shared lab fixtures (recursively).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labFixturesDir } from '../../helpers/env';

export function pcapFixtures(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.pcap(ng)?$/.test(e.name)) out.push(p);
    }
  };
  if (fs.existsSync(labFixturesDir)) walk(labFixturesDir);
  return out.sort();
}
