// Resolves the argument of an `include` directive to files, the way keepalived
// does with glob(3): relative to the including file's folder, with `*`, `?`,
// `[...]` and csh brace lists `{a,b}`. Results are sorted; the walk is bounded.
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAX_MATCHES = 512;

export function hasGlob(p: string): boolean {
  return /[*?[{]/.test(p);
}

/** `{a,b}c` → [`ac`, `bc`], nested lists included. */
export function expandBraces(p: string): string[] {
  const open = p.indexOf('{');
  if (open < 0) return [p];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [p];
  const parts: string[] = [];
  let from = open + 1;
  for (const c of [...commas, close]) {
    parts.push(p.slice(from, c));
    from = c + 1;
  }
  const head = p.slice(0, open);
  const tail = p.slice(close + 1);
  return parts.flatMap((part) => expandBraces(head + part + tail));
}

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function globOne(pattern: string, out: Set<string>): void {
  const abs = path.resolve(pattern);
  const segs = abs.split(path.sep).filter((s) => s.length > 0);
  let current = [path.parse(abs).root];
  for (let s = 0; s < segs.length && current.length > 0; s++) {
    const seg = segs[s];
    const next: string[] = [];
    for (const dir of current) {
      if (!hasGlob(seg)) {
        next.push(path.join(dir, seg));
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      const re = segmentRegex(seg);
      for (const name of names.sort()) {
        if (name.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(name)) next.push(path.join(dir, name));
        if (next.length > MAX_MATCHES) break;
      }
    }
    current = next;
  }
  for (const f of current) {
    try {
      if (fs.statSync(f).isFile()) out.add(f);
    } catch {
      // A literal path that does not exist matches nothing.
    }
    if (out.size >= MAX_MATCHES) return;
  }
}

/** Absolute paths of the files an include pattern names, relative to `baseDir`. */
export function resolveInclude(pattern: string, baseDir: string): string[] {
  const out = new Set<string>();
  for (const p of expandBraces(pattern)) {
    globOne(path.isAbsolute(p) ? p : path.join(baseDir, p), out);
  }
  return [...out];
}
