// Where a command of a shell script stands in the script's structure, for the
// rules that replay ipvsadm commands in the order of the text: a command in a
// `case` branch, a function body or an if/else body may run in another order
// than the text's, or not at all; a command that is an if/while condition, is
// negated (`!`) or follows `&&`/`||` may not run, or its failure is expected.
// A small scanner, not a shell parser: it knows quotes, comments, `$(...)`,
// here-documents, the reserved words at the start of a command, `name() {`
// and `function name`, and the operators ; ;; & && | || ( ).

export interface ShellPlace {
  /** Inside a case branch, a function body or an if/elif/else body. */
  branch: boolean;
  /** An if/while/until condition, after `!`, `&&` or `||`. */
  conditional: boolean;
  /**
   * The case branches and function bodies around the command, outermost first:
   * `c<case>.<branch>` or `f<function>`. Two commands whose scopes first differ at
   * a branch of the same case each (another branch runs instead), or at a function
   * (each may be called alone), are not one sequence (see `exclusiveScopes`).
   */
  scope: string[];
}

/** The two commands cannot be taken as one sequence: different branches of one case, or different functions. */
export function exclusiveScopes(a: readonly string[] = [], b: readonly string[] = []): boolean {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  if (k >= a.length || k >= b.length) return false;
  if (a[k].startsWith('f') || b[k].startsWith('f')) return true;
  return a[k].slice(0, a[k].indexOf('.')) === b[k].slice(0, b[k].indexOf('.'));
}

interface Frame {
  kind: 'if' | 'loop' | 'case' | 'fn' | 'brace' | 'sub';
  /** In the condition part (if/elif/while/until before then/do). */
  cond: boolean;
  /** Opened by `(`: closed by `)`. */
  paren?: boolean;
  /** A case branch (`c<case>.<branch>`) or a function body (`f<n>`). */
  scope?: string;
}

interface Token {
  text: string;
  line: number;
  col: number;
  /** An operator (`;`, `&&`, `(`...) or the end of a line, not a word. */
  op: boolean;
}

const OPERATORS = [';;&', ';;', ';&', '&&', '||', '|&', ';', '&', '|', '(', ')'];

/** Splits the script into words and operators; `\n` ends a command unless the line ends with `\`. */
function tokenize(lines: string[]): Token[] {
  const out: Token[] = [];
  type Heredoc = { end: string; strip: boolean };
  let heredoc: Heredoc | undefined;
  for (let ln = 0; ln < lines.length; ln++) {
    const text = lines[ln];
    if (heredoc) {
      const body = heredoc.strip ? text.replace(/^\t+/, '') : text;
      if (body === heredoc.end) heredoc = undefined;
      continue;
    }
    let i = 0;
    let continued = false;
    let pendingHeredoc: Heredoc | undefined;
    while (i < text.length) {
      const c = text[i];
      if (c === ' ' || c === '\t') {
        i++;
        continue;
      }
      if (c === '\\' && i === text.length - 1) {
        continued = true;
        break;
      }
      if (c === '#') break;
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op) {
        out.push({ text: op, line: ln, col: i, op: true });
        i += op.length;
        continue;
      }
      const hd = /^<<(-?)\s*(['"]?)([\w.-]+)\2/.exec(text.slice(i));
      if (hd) {
        pendingHeredoc = { end: hd[3], strip: hd[1] === '-' };
        i += hd[0].length;
        continue;
      }
      // A word: up to a blank or an operator, quotes and $( ) / ${ } / ` ` included.
      const start = i;
      let depth = 0;
      while (i < text.length) {
        const d = text[i];
        if (depth === 0 && (d === ' ' || d === '\t' || d === ';' || d === '&' || d === '|' || d === '(' || d === ')' || text.startsWith('<<', i))) break;
        if (d === '\\') {
          i += 2;
          continue;
        }
        if (d === "'" || d === '"' || d === '`') {
          const close = text.indexOf(d, i + 1);
          i = close < 0 ? text.length : close + 1;
          continue;
        }
        if (d === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
          depth++;
          i += 2;
          continue;
        }
        if (depth > 0 && (d === ')' || d === '}')) depth--;
        else if (depth > 0 && d === '(') depth++;
        i++;
      }
      if (i > start) out.push({ text: text.slice(start, i), line: ln, col: start, op: false });
      else i++;
    }
    heredoc = pendingHeredoc;
    if (!continued) out.push({ text: '\n', line: ln, col: text.length, op: true });
  }
  return out;
}

/** The place of each command of the script; look up the command that contains a position. */
export function shellPlaces(lines: string[]): (line: number, col: number) => ShellPlace {
  const starts: Array<{ line: number; col: number; place: ShellPlace }> = [];
  const stack: Frame[] = [];
  const tokens = tokenize(lines);
  /** At the start of a command (reserved words count there). */
  let atStart = true;
  /** What came before the command: '&&', '||', '!' make it conditional. */
  let lead = '';
  let fnPending = false;
  /** Skipping words that are not commands: `case WORD in`, `for NAME in LIST`, a case pattern. */
  let skip: 'case-head' | 'for-head' | 'pattern' | undefined;
  let nextId = 0;
  const top = (): Frame | undefined => stack[stack.length - 1];
  const pop = (...kinds: Frame['kind'][]): void => {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (kinds.includes(stack[k].kind)) {
        stack.length = k;
        return;
      }
    }
  };
  const newCommand = (l = ''): void => {
    atStart = true;
    lead = l;
  };
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (skip === 'pattern') {
      // `pattern)` (or `(pattern)`) then the branch's commands; `esac` ends the case.
      if (!tok.op && tok.text === 'esac') {
        pop('case');
        skip = undefined;
        newCommand();
      } else if (tok.op && tok.text === ')') {
        skip = undefined;
        newCommand();
      }
      continue;
    }
    if (skip === 'case-head') {
      if (!tok.op && tok.text === 'in') skip = 'pattern';
      continue;
    }
    if (skip === 'for-head') {
      // The list ends at `;`, a new line or `do` (the body's `do` is then read as usual).
      if (tok.op ? tok.text === ';' || tok.text === '\n' : tok.text === 'do') skip = undefined;
      if (tok.text === 'do') newCommand();
      continue;
    }
    if (tok.op) {
      switch (tok.text) {
        case '\n':
        case ';':
        case '&':
          newCommand();
          break;
        case '&&':
        case '||':
          newCommand(tok.text);
          break;
        case '|':
        case '|&':
          newCommand(lead);
          break;
        case ';;':
        case ';&':
        case ';;&':
          if (stack.some((f) => f.kind === 'case')) {
            const prev = stack.filter((f) => f.kind === 'case').pop()?.scope ?? `c${nextId++}.0`;
            const [id, branch] = prev.split('.');
            pop('case');
            // `;&` and `;;&` go on to the next branch: it is the same sequence.
            stack.push({ kind: 'case', cond: false, scope: tok.text === ';;' ? `${id}.${Number(branch) + 1}` : prev });
            skip = 'pattern';
          }
          newCommand();
          break;
        case '(':
          if (fnPending && tokens[t + 1]?.text === ')') {
            // `function name ( )`: the parentheses of a function definition.
            t++;
          } else if (atStart) {
            // A subshell, or the body of `name() ( ... )`.
            stack.push({ kind: fnPending ? 'fn' : 'sub', cond: false, paren: true, scope: fnPending ? `f${nextId++}` : undefined });
            fnPending = false;
            newCommand(lead);
          }
          break;
        case ')': {
          const k = stack.map((f) => f.paren).lastIndexOf(true);
          if (k >= 0) stack.length = k;
          atStart = false;
          break;
        }
        default:
          break;
      }
      continue;
    }
    const w = tok.text;
    if (atStart) {
      const frame = top();
      switch (w) {
        case 'if':
        case 'while':
        case 'until':
          stack.push({ kind: w === 'if' ? 'if' : 'loop', cond: true });
          newCommand();
          continue;
        case 'then':
        case 'do':
          if (frame && (frame.kind === 'if' || frame.kind === 'loop')) frame.cond = false;
          newCommand();
          continue;
        case 'elif':
          if (frame?.kind === 'if') frame.cond = true;
          newCommand();
          continue;
        case 'else':
          if (frame?.kind === 'if') frame.cond = false;
          newCommand();
          continue;
        case 'fi':
          pop('if');
          atStart = false;
          continue;
        case 'done':
          pop('loop');
          atStart = false;
          continue;
        case 'for':
        case 'select':
          stack.push({ kind: 'loop', cond: false });
          skip = 'for-head';
          continue;
        case 'case':
          stack.push({ kind: 'case', cond: false, scope: `c${nextId++}.0` });
          skip = 'case-head';
          continue;
        case 'esac':
          pop('case');
          atStart = false;
          continue;
        case 'function':
          fnPending = true;
          // The name follows; `{` or `(` opens the body.
          t++;
          continue;
        case '{':
          stack.push({ kind: fnPending ? 'fn' : 'brace', cond: false, scope: fnPending ? `f${nextId++}` : undefined });
          fnPending = false;
          newCommand(lead);
          continue;
        case '}': {
          const k = stack.map((f) => (f.kind === 'fn' || f.kind === 'brace') && !f.paren).lastIndexOf(true);
          if (k >= 0) stack.length = k;
          atStart = false;
          continue;
        }
        case '!':
          newCommand('!');
          continue;
        default:
          break;
      }
      // `name() {`: a function definition, not a command.
      if (tokens[t + 1]?.op && tokens[t + 1].text === '(' && tokens[t + 2]?.op && tokens[t + 2].text === ')') {
        fnPending = true;
        t += 2;
        continue;
      }
      // `VAR=value cmd`: the assignment keeps the command position.
      if (/^[A-Za-z_]\w*=/.test(w)) continue;
      // A function body is a `{ }` group or a `( )` subshell (taken above): anything else ends the definition.
      fnPending = false;
      starts.push({
        line: tok.line,
        col: tok.col,
        place: {
          branch: stack.some((f) => f.kind === 'case' || f.kind === 'fn' || (f.kind === 'if' && !f.cond)),
          conditional: lead === '&&' || lead === '||' || lead === '!' || stack.some((f) => f.cond),
          scope: stack.flatMap((f) => (f.scope ? [f.scope] : [])),
        },
      });
      atStart = false;
    }
  }
  return (line, col) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found: ShellPlace | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = starts[mid];
      if (s.line < line || (s.line === line && s.col <= col)) {
        found = s.place;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found ?? { branch: false, conditional: false, scope: [] };
  };
}

/**
 * The operators of one line that end a command and start another (`;`, `&`, `&&`,
 * `||`, `|`, `|&`), outside quotes, `$(...)` and comments; the `&` of a redirection
 * (`2>&1`, `&>`) is not one.
 */
export function commandSeparators(text: string): Array<{ start: number; end: number }> {
  return tokenize([text])
    .filter((t) => t.op && [';', '&', '&&', '||', '|', '|&'].includes(t.text))
    .filter((t) => !(t.text === '&' && (/[<>]$/.test(text.slice(0, t.col)) || text[t.col + 1] === '>')))
    .map((t) => ({ start: t.col, end: t.col + t.text.length }));
}
