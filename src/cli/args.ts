// A small, strict argument parser shared by the sub-commands: `--flag`,
// `--key value`, `--key=value`, positionals. Unknown options are errors.

export interface ArgSpec {
  /** Options that take no value. */
  flags?: string[];
  /** Options that take a value (may repeat; last wins unless collected). */
  options?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string[]>;
}

export function parseArgs(args: string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string[]>();
  const positionals: string[] = [];
  const known = new Set([...(spec.flags ?? []), ...(spec.options ?? [])]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!known.has(name)) throw new Error(`unknown option --${name}`);
    if (spec.flags?.includes(name)) {
      if (eq >= 0) throw new Error(`option --${name} takes no value`);
      flags.add(name);
      continue;
    }
    let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`option --${name} needs a value`);
    const list = options.get(name) ?? [];
    list.push(value);
    options.set(name, list);
    value = undefined;
  }
  return { positionals, flags, options };
}

/** The last value given for an option, or undefined. */
export function optionValue(p: ParsedArgs, name: string): string | undefined {
  const v = p.options.get(name);
  return v ? v[v.length - 1] : undefined;
}
