// ipvsadm rules: `ipvsadm-save`/`ipvsadm -S` output (lines of options, e.g.
// `-A -t 192.0.2.10:80 -s wlc`) and shell scripts with `ipvsadm ...` command
// lines. Every option that defines services and destinations is understood, in
// short and long form; each value keeps its range. Problems ipvsadm itself would
// reject (bad address, unknown option, two forwarding methods...) are reported
// here; rules about the sequence of commands live in ../rules.
import type { ConfigDiagnostic, Range } from '../diagnostic';
import { checkInt, checkNetmask, didYouMean, isIPv4, isIPv6, SCHEDULERS } from '../values';
import { DEST_ONLY, OPTIONS, SCHED_FLAGS, SERVICE_ONLY, SERVICE_PORTS } from './options';
import { commandSeparators, type ShellPlace, shellPlaces } from './shell';

/** The longest persistence timeout ipvsadm accepts (MAX_TIMEOUT in ipvsadm.c: 31 days). */
export const MAX_PERSISTENT_TIMEOUT = 86400 * 31;

export interface Word {
  text: string;
  line: number;
  start: number;
  end: number;
  /** Contains a shell expansion (`$VIP`, `` `cmd` ``): value unknown until run time. */
  dynamic: boolean;
}

export type { IpvsadmOp } from './options';
import type { IpvsadmOp } from './options';
export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface Endpoint {
  host: string;
  port?: number;
  /** The port as written, when it is a service name (`http`). */
  portName?: string;
  ipv6: boolean;
  word: Word;
}

export interface IpvsadmCommand {
  file: string;
  op: IpvsadmOp;
  opWord?: Word;
  /** The whole command (for "service never defined" and the like). */
  range: Range;
  protocol?: Protocol;
  fwmark?: number;
  service?: Endpoint;
  serviceWord?: Word;
  dest?: Endpoint;
  scheduler?: Word;
  persistent?: { word: Word; seconds: number };
  netmask?: Word;
  ops?: Word;
  schedFlags?: Word;
  method?: { kind: 'dr' | 'tun' | 'nat'; word: Word };
  weight?: { word: Word; value: number };
  upper?: { word: Word; value: number };
  lower?: { word: Word; value: number };
  tunType?: Word;
  tunPort?: Word;
  /** Some value is a shell expansion: only structure is checked. */
  dynamic: boolean;
  /** ipvsadm would refuse the command itself: it does not change the table. */
  invalid: boolean;
  /** In a shell script: where the command stands (see ./shell.ts) and whether its failure is expected. */
  shell?: ShellPlace & {
    /** stderr sent to /dev/null, or `|| ...` after it. */
    guarded: boolean;
  };
}

export interface ParsedIpvsadm {
  file: string;
  commands: IpvsadmCommand[];
  /**
   * `save`: ipvsadm-save output, restored as a whole (`ipvsadm -R`) in the order of
   * its lines; `script`: a shell script, whose commands may run in another order, on
   * a table that already holds services.
   */
  format: 'save' | 'script';
}

/** Splits a line into shell words with ranges; stops at a comment or a command separator. */
function shellWords(text: string, line: number, from: number): { words: Word[]; end: number } {
  const words: Word[] = [];
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#' || c === ';' || c === '|' || c === '&' || c === '>' || c === '<' || c === ')') break;
    const start = i;
    let value = '';
    let dynamic = false;
    while (i < n) {
      const d = text[i];
      if (d === ' ' || d === '\t' || d === ';' || d === '|' || d === '&' || d === '>' || d === '<' || d === ')') break;
      if (d === "'" || d === '"') {
        const close = text.indexOf(d, i + 1);
        const inner = text.slice(i + 1, close < 0 ? n : close);
        if (d === '"' && /[$`]/.test(inner)) dynamic = true;
        value += inner;
        i = close < 0 ? n : close + 1;
        continue;
      }
      if (d === '$' || d === '`') dynamic = true;
      if (d === '\\') {
        // A trailing backslash continues the command on the next line.
        if (i + 1 < n) value += text[i + 1];
        i += 2;
        continue;
      }
      value += d;
      i++;
    }
    // `2>/dev/null`, `2>&1`: the digits name a file descriptor of the redirection, not an argument.
    if ((text[i] === '>' || text[i] === '<') && /^\d+$/.test(text.slice(start, i))) {
      i = start;
      break;
    }
    words.push({ text: value, line, start, end: i, dynamic });
  }
  return { words, end: i };
}

/** Where the ipvsadm arguments start on a line (-1 when the line has no ipvsadm command), and where the ipvsadm word is. */
function commandStart(text: string, saveFormat: boolean): { at: number; word: number } {
  const trimmed = text.trimStart();
  if (saveFormat && trimmed.startsWith('-')) return { at: text.length - trimmed.length, word: text.length - trimmed.length };
  const m = /(^|[\s;&|(`]|\bsudo\s+|\bexec\s+)((?:\/[\w.-]+)*\/?ipvsadm|\$\{?IPVSADM\}?)(?=\s|$)/.exec(text);
  if (!m) return { at: -1, word: -1 };
  const hash = text.indexOf('#');
  const word = m.index + m[1].length;
  if (hash >= 0 && hash < word) return { at: -1, word: -1 };
  return { at: m.index + m[0].length, word };
}

/** The next ipvsadm command on the line after `from`: in a later command (after `;`, `&&`, `||`, `|`, `&`). */
function nextCommandStart(text: string, from: number): { at: number; word: number } {
  const seps = commandSeparators(text);
  for (let k = 0; k < seps.length; k++) {
    if (seps[k].start < from) continue;
    const segEnd = k + 1 < seps.length ? seps[k + 1].start : text.length;
    const seg = text.slice(seps[k].end, segEnd);
    const found = commandStart(seg, false);
    if (found.at >= 0) return { at: found.at + seps[k].end, word: found.word + seps[k].end };
  }
  return { at: -1, word: -1 };
}

/**
 * The redirections and `||` after a command (the rest of its last line): its errors
 * are silenced (stderr to /dev/null or closed) or handled (`|| true`, `|| :`, `|| echo`).
 */
function errorsExpected(tail: string): boolean {
  let rest = tail;
  const fds = new Map<string, string>();
  for (;;) {
    const m = /^\s*(\d+|&)?(>>?|<)(&?)\s*([^\s;|&<>()]+)/.exec(rest);
    if (!m) break;
    const fd = m[1] ?? (m[2] === '<' ? '0' : '1');
    const target = m[3] ? (m[4] === '-' ? '-' : (fds.get(m[4]) ?? `&${m[4]}`)) : m[4];
    if (fd === '&') {
      fds.set('1', target);
      fds.set('2', target);
    } else fds.set(fd, target);
    rest = rest.slice(m[0].length);
  }
  const err = fds.get('2');
  return err === '/dev/null' || err === '-' || /^\s*\|\|/.test(rest);
}

/** Characters that do not belong in a text file: C0 controls other than tab, LF, VT, FF and CR, DEL, C1 controls, and U+FFFD (bytes that are not UTF-8). */
// eslint-disable-next-line no-control-regex
const NOT_TEXT = /[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]/g;

/** Why `text` is not a text file (NUL bytes, or mostly bytes that are not printable), or undefined. */
function notText(text: string): string | undefined {
  if (text.includes('\0')) return 'it contains NUL bytes';
  const odd = text.match(NOT_TEXT)?.length ?? 0;
  // A stray escape sequence in a comment is tolerated; a binary file is full of them.
  if (odd > 0 && odd * 10 > text.length) return `${Math.round((odd * 100) / text.length)}% of its characters are control bytes or not UTF-8`;
  return undefined;
}

/** Shows control and bidi characters of the input as escapes (`\x1b`), so a message never carries them raw. */
export function shown(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

export function parseIpvsadm(text: string, file: string, diagnostics: ConfigDiagnostic[]): ParsedIpvsadm {
  const binary = notText(text);
  if (binary) {
    // One diagnostic for the whole file: linting its "lines" would only produce noise.
    diagnostics.push({ code: 'ipvsadm-not-text', severity: 'error', file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: `this file is not an ipvsadm rules file: ${binary}. Give ipvsadm-save output (ipvsadm -S -n) or a shell script of ipvsadm commands` });
    return { file, commands: [], format: 'save' };
  }
  // A CR before LF (CRLF files) ends the line; it is not part of the last word.
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  // ipvsadm-save output has only option lines; a script has `ipvsadm` words.
  const saveFormat = lines.some((l) => /^\s*-[AaEeDdC]\b/.test(l)) && !lines.some((l) => /(^|[\s;&|(])ipvsadm\s/.test(l));
  const commands: IpvsadmCommand[] = [];
  const place = saveFormat ? undefined : shellPlaces(lines);
  for (let ln = 0; ln < lines.length; ln++) {
    let textLine = lines[ln];
    let start = commandStart(textLine, saveFormat);
    // Every ipvsadm command of the line (`ipvsadm -A ... && ipvsadm -a ...`), each parsed on its own.
    while (start.at >= 0) {
      const first = { line: ln, col: start.word };
      let { words, end } = shellWords(textLine, ln, start.at);
      // Backslash-continued command lines (when the command goes on to the end of the line).
      while (textLine.trimEnd().endsWith('\\') && /^\s*\\?\s*$/.test(textLine.slice(end)) && ln + 1 < lines.length) {
        if (words.length && words[words.length - 1].text === '') words.pop();
        ln++;
        textLine = lines[ln];
        const next = shellWords(textLine, ln, 0);
        words = words.concat(next.words);
        end = next.end;
      }
      words = words.filter((w) => w.text !== '' || w.dynamic);
      const cmd = parseCommand(words, file, diagnostics);
      if (cmd) {
        if (place) cmd.shell = { ...place(first.line, first.col), guarded: errorsExpected(textLine.slice(end)) };
        commands.push(cmd);
      }
      start = saveFormat ? { at: -1, word: -1 } : nextCommandStart(textLine, end);
    }
  }
  return { file, commands, format: saveFormat ? 'save' : 'script' };
}

function wordRange(w: Word): Range {
  return { start: { line: w.line, character: w.start }, end: { line: w.line, character: w.end } };
}

/** Splits `-Ln` into `-L -n` when every letter is a flag. */
function expandShort(w: Word): Word[] {
  if (!/^-[A-Za-z0-9]{2,}$/.test(w.text)) return [w];
  const letters = w.text.slice(1).split('');
  if (!letters.every((l, k) => OPTIONS[`-${l}`] && (OPTIONS[`-${l}`].value === 'none' || k === letters.length - 1))) return [w];
  return letters.map((l, k) => ({ ...w, text: `-${l}`, start: w.start + (k === 0 ? 0 : k + 1), end: w.start + k + 2 }));
}

function parseCommand(rawWords: Word[], file: string, out: ConfigDiagnostic[]): IpvsadmCommand | undefined {
  const words = rawWords.flatMap(expandShort);
  if (words.length === 0) return undefined;
  const first = words[0];
  const last = words[words.length - 1];
  const cmd: IpvsadmCommand = {
    file,
    op: 'other',
    range: { start: { line: first.line, character: first.start }, end: { line: last.line, character: last.end } },
    dynamic: words.some((w) => w.dynamic),
    invalid: false,
  };
  const err = (code: string, w: Word | Range, message: string, severity: ConfigDiagnostic['severity'] = 'error'): void => {
    if (severity === 'error') cmd.invalid = true;
    out.push({ code, severity, file, range: 'text' in w ? wordRange(w) : w, message: shown(message) });
  };
  const seen = new Map<string, Word>();
  const methods: Word[] = [];
  let commandWord: Word | undefined;
  // A shell expansion standing alone (`$OPTS`) may expand to options we cannot see.
  let hiddenOptions = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.dynamic && !w.text.startsWith('-')) {
      hiddenOptions = true;
      continue;
    }
    let name = w.text;
    let inlineValue: string | undefined;
    const eq = name.indexOf('=');
    if (name.startsWith('--') && eq > 0) {
      inlineValue = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = OPTIONS[name];
    if (!spec) {
      if (!w.text.startsWith('-')) {
        err('ipvsadm-unexpected-argument', w, `unexpected argument '${w.text}': every value must follow its option (e.g. -r ${w.text})`);
      } else {
        const guess = didYouMean(name, Object.keys(OPTIONS).filter((k) => k.startsWith('--')));
        err('ipvsadm-unknown-option', w, `${name}: unknown option${guess ? ` — did you mean ${guess}?` : ''}`);
      }
      continue;
    }
    let value: Word | undefined;
    if (spec.value !== 'none') {
      if (inlineValue !== undefined) value = { ...w, text: inlineValue, start: w.start + eq + 1 };
      else {
        const next = words[i + 1];
        // An optional value (-p [timeout]) is the next argument unless that starts with '-', as popt
        // reads it: `-p abc` is a bad timeout for ipvsadm, not a stray argument.
        const takes = next && (spec.value === 'required' ? !OPTIONS[next.text] || /^-\d/.test(next.text) : next.dynamic || !next.text.startsWith('-'));
        if (takes) {
          value = next;
          i++;
        }
      }
      if (!value && spec.value === 'required') {
        err('ipvsadm-missing-value', w, `${w.text} needs a value`);
        continue;
      }
    }
    if (spec.op) {
      if (commandWord && spec.op !== 'other') {
        err('ipvsadm-invalid-option', w, `only one command per ipvsadm line: ${commandWord.text} and ${w.text} given`);
        continue;
      }
      commandWord = w;
      cmd.op = spec.op;
      cmd.opWord = w;
      if (spec.name === 'set' && value) {
        // --set tcp tcpfin udp: three timeouts.
        const vals = [value, words[i + 1], words[i + 2]];
        for (const v of vals) if (v && !v.dynamic && !/^\d+$/.test(v.text)) err('ipvsadm-invalid-value', v, `invalid timeout value '${v.text}': --set takes three numbers of seconds (tcp tcpfin udp)`);
        i += 2;
      }
      continue;
    }
    if (seen.has(spec.name) && !['gatewaying', 'ipip', 'masquerading'].includes(spec.name)) {
      err('ipvsadm-invalid-option', w, `multiple '${spec.name}' options specified: keep one`);
    }
    seen.set(spec.name, w);
    const v = value as Word;
    const dyn = value?.dynamic ?? false;
    switch (spec.name) {
      case 'tcp-service':
      case 'udp-service':
      case 'sctp-service': {
        cmd.protocol = spec.name === 'tcp-service' ? 'tcp' : spec.name === 'udp-service' ? 'udp' : 'sctp';
        cmd.serviceWord = v;
        if (!dyn) cmd.service = parseEndpoint(v, 'virtual server', err);
        break;
      }
      case 'fwmark-service':
        cmd.serviceWord = v;
        if (!dyn) {
          const why = checkInt(v.text, 1, 4294967295);
          if (why) err('ipvsadm-invalid-value', v, `invalid fwmark value '${v.text}': use 1-4294967295`);
          else cmd.fwmark = Number(v.text);
        }
        break;
      case 'scheduler':
        cmd.scheduler = v;
        if (!dyn && !(SCHEDULERS as readonly string[]).includes(v.text)) {
          const guess = didYouMean(v.text, SCHEDULERS);
          cmd.invalid = true;
          out.push({
            code: 'unknown-scheduler',
            severity: 'error',
            file,
            range: wordRange(v),
            message: `unknown scheduler '${shown(v.text)}': the kernel has ${SCHEDULERS.join(', ')}${guess ? ` — did you mean '${guess}'?` : ''}`,
            fixes: guess ? [{ title: `Use '${guess}'`, isPreferred: true, edits: [{ file, range: wordRange(v), newText: guess }] }] : undefined,
          });
        }
        break;
      case 'persistent': {
        // ipvsadm: parse_timeout(optarg, 1, MAX_TIMEOUT), MAX_TIMEOUT = 31 days.
        const ok = !value || dyn || (/^\d+$/.test(value.text) && Number(value.text) >= 1 && Number(value.text) <= MAX_PERSISTENT_TIMEOUT);
        if (!ok && value) {
          err('ipvsadm-invalid-value', value, `invalid timeout value '${value.text}' (ipvsadm: "invalid timeout value \`${value.text}' specified"): -p takes a number of seconds from 1 to ${MAX_PERSISTENT_TIMEOUT} (31 days), or nothing for the default 300`);
        }
        cmd.persistent = { word: value ?? w, seconds: value && !dyn && ok ? Number(value.text) : 300 };
        break;
      }
      case 'netmask':
        cmd.netmask = v;
        if (!dyn && checkNetmask(v.text)) err('ipvsadm-invalid-value', v, `invalid netmask '${v.text}'`);
        break;
      case 'sched-flags':
        cmd.schedFlags = v;
        if (!dyn) for (const f of v.text.split(',')) if (!SCHED_FLAGS.has(f)) err('ipvsadm-invalid-value', v, `unknown scheduler flag '${f}' (${[...SCHED_FLAGS].join(', ')})`);
        break;
      case 'ops':
        cmd.ops = w;
        break;
      case 'real-server':
        if (!dyn) cmd.dest = parseEndpoint(v, 'server', err);
        break;
      case 'gatewaying':
      case 'ipip':
      case 'masquerading':
        methods.push(w);
        cmd.method = { kind: spec.name === 'gatewaying' ? 'dr' : spec.name === 'ipip' ? 'tun' : 'nat', word: w };
        break;
      case 'weight':
      case 'u-threshold':
      case 'l-threshold': {
        if (dyn) break;
        if (!/^\d+$/.test(v.text)) {
          err('ipvsadm-invalid-value', v, `illegal ${spec.name === 'weight' ? 'weight' : 'threshold'} '${v.text}': use a number from 0`);
          break;
        }
        const entry = { word: v, value: Number(v.text) };
        if (spec.name === 'weight') {
          cmd.weight = entry;
          if (entry.value > 65535) err('weight-out-of-range', v, `weight ${v.text} is above 65535, the largest weight ipvsadm(8) documents`, 'warning');
        } else if (spec.name === 'u-threshold') cmd.upper = entry;
        else cmd.lower = entry;
        break;
      }
      case 'tun-type':
        cmd.tunType = v;
        if (!dyn && !['ipip', 'gue', 'gre'].includes(v.text)) err('ipvsadm-invalid-value', v, `unknown tunnel type '${v.text}': ipip, gue or gre`);
        break;
      case 'tun-port':
        cmd.tunPort = v;
        break;
      default:
        break;
    }
  }
  if (methods.length > 1) err('ipvsadm-invalid-option', methods[1], "multiple 'forwarding-method' options specified: use one of -g (DR), -i (TUN), -m (NAT)");
  checkCombination(cmd, seen, err, hiddenOptions);
  return cmd;
}

/** Tunnel options in the order ipvsadm checks them, and which tunnel type takes which:
 * '+' required, 'x' illegal, '1' at most one of them, ' ' optional (tunnel_types_v_options in ipvsadm.c). */
const TUN_OPTIONS = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'] as const;
const TUN_TYPES: Record<string, string> = { ipip: 'xxxx', gue: '+111', gre: 'x11x' };

/** ipvsadm's checks of --tun-* options on -a/-e (process_options and tunnel_opt_check); the first failure, as ipvsadm stops there. */
function checkTunnelOptions(cmd: IpvsadmCommand, seen: Map<string, Word>, err: (code: string, w: Word | Range, message: string) => void, hiddenOptions: boolean): void {
  const given = [...seen.entries()].filter(([name]) => name === 'tun-type' || (TUN_OPTIONS as readonly string[]).includes(name));
  if (given.length === 0 || hiddenOptions) return;
  const kind = cmd.method?.kind ?? 'dr';
  if (kind !== 'tun') {
    const [, first] = given[0];
    const method = kind === 'nat' ? 'NAT (-m)' : cmd.method ? 'DR (-g)' : 'DR (the default without -g/-i/-m)';
    err('ipvsadm-invalid-option', first, `${first.text.replace(/=.*/, '')} is a tunnel option but this real server uses ${method} (ipvsadm: "Tunnel options conflict with forward method"): remove the --tun-* options, or use -i (TUN)`);
    return;
  }
  if (cmd.tunType?.dynamic) return;
  const type = cmd.tunType?.text ?? 'ipip';
  const table = TUN_TYPES[type];
  if (!table) return;
  let exclusive: string | undefined;
  for (let j = 0; j < TUN_OPTIONS.length; j++) {
    const name = TUN_OPTIONS[j];
    const w = seen.get(name);
    if (!w) {
      if (table[j] === '+') {
        err('ipvsadm-missing-option', cmd.tunType ?? cmd.method?.word ?? cmd.range, `the '${type}' tunnel type needs --${name} (ipvsadm: "You need to supply the '${name}' option for the '${type}' tunnel type")`);
        return;
      }
      continue;
    }
    if (table[j] === 'x') {
      const how = type === 'ipip' ? `ipip${cmd.tunType ? '' : ' (the default --tun-type)'} takes no tunnel options: remove it, or use --tun-type gue` : `gre takes only --tun-nocsum or --tun-csum: remove it${name === 'tun-port' ? ', or use --tun-type gue' : ''}`;
      err('ipvsadm-invalid-option', w, `illegal '--${name}' option with the ${type} tunnel type (ipvsadm: "Illegal '${name}' option with the '${type}' tunnel type"): ${how}`);
      return;
    }
    if (table[j] === '1') {
      if (exclusive) {
        err('ipvsadm-invalid-option', w, `--${name} conflicts with --${exclusive} (ipvsadm: "The option '${name}' conflicts with the '${exclusive}' option in the '${type}' tunnel type"): keep one checksum option`);
        return;
      }
      exclusive = name;
    }
  }
}

function parseEndpoint(w: Word, what: string, err: (code: string, w: Word, message: string) => void): Endpoint | undefined {
  let host = w.text;
  let portText: string | undefined;
  let ipv6 = false;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) {
      err('ipvsadm-invalid-value', w, `illegal ${what} address '${w.text}': missing ']'`);
      return undefined;
    }
    portText = host[close + 1] === ':' ? host.slice(close + 2) : undefined;
    host = host.slice(1, close);
    ipv6 = true;
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && host.indexOf(':') === colon) {
      portText = host.slice(colon + 1);
      host = host.slice(0, colon);
    } else if (colon >= 0) ipv6 = true;
  }
  const numericLooking = /^[\d.]+$/.test(host);
  const valid = ipv6 ? isIPv6(host) : numericLooking ? isIPv4(host) : /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host);
  if (!valid) {
    err('ipvsadm-invalid-value', w, `illegal ${what} address '${host}': use an IPv4 address, [IPv6] or a host name, then :port`);
    return undefined;
  }
  const ep: Endpoint = { host, ipv6: ipv6 || isIPv6(host), word: w };
  if (portText !== undefined && portText !== '') {
    if (/^\d+$/.test(portText)) {
      if (Number(portText) > 65535) {
        err('ipvsadm-invalid-value', w, `illegal ${what} port ${portText}: use 0-65535`);
        return undefined;
      }
      ep.port = Number(portText);
    } else if (/^[a-z][a-z0-9-]*$/i.test(portText)) {
      ep.portName = portText;
      ep.port = SERVICE_PORTS[portText.toLowerCase()];
    } else {
      err('ipvsadm-invalid-value', w, `illegal ${what} port '${portText}'`);
      return undefined;
    }
  }
  return ep;
}

/** Which options go with which command, and the checks ipvsadm makes before calling the kernel. */
function checkCombination(cmd: IpvsadmCommand, seen: Map<string, Word>, err: (code: string, w: Word | Range, message: string) => void, hiddenOptions: boolean): void {
  const op = cmd.op;
  const isService = op === 'add-service' || op === 'edit-service' || op === 'delete-service';
  const isDest = op === 'add-dest' || op === 'edit-dest' || op === 'delete-dest';
  if (!isService && !isDest) return;
  const opText = cmd.opWord?.text ?? '';
  for (const [name, w] of seen) {
    if ((isService && DEST_ONLY.has(name)) || (isDest && SERVICE_ONLY.has(name)) || (op === 'delete-service' && SERVICE_ONLY.has(name))) {
      err('ipvsadm-invalid-option', w, `illegal '${w.text}' option with the '${opText}' command`);
    }
  }
  if (!cmd.serviceWord) {
    err('ipvsadm-missing-option', cmd.opWord ?? cmd.range, `${opText} needs a service: -t ADDR:PORT, -u ADDR:PORT, --sctp-service ADDR:PORT or -f FWMARK`);
    return;
  }
  if (isDest && !seen.has('real-server')) err('ipvsadm-missing-option', cmd.opWord ?? cmd.range, `${opText} needs a real server: -r ADDR[:PORT]`);
  if (cmd.service && (op === 'add-service' || op === 'edit-service') && !cmd.service.port && !cmd.persistent && !cmd.dynamic) {
    err('ipvsadm-invalid-value', cmd.service.word, 'zero port specified for a non-persistent service: add :PORT, or make it persistent with -p');
  }
  if (op === 'add-service' || op === 'edit-service') {
    // ipvsadm refuses this before calling the kernel (process_options); fwmark services are exempt.
    if (cmd.ops && cmd.protocol && cmd.protocol !== 'udp' && cmd.fwmark === undefined && !hiddenOptions) {
      err('ipvsadm-invalid-option', cmd.ops, `${cmd.ops.text} (one-packet scheduling) on a ${cmd.protocol.toUpperCase()} service (ipvsadm: "One-Packet Scheduling is only for UDP virtual services"): remove ${cmd.ops.text}, or make it a UDP service (-u)`);
    }
  }
  if (op === 'add-dest' || op === 'edit-dest') checkTunnelOptions(cmd, seen, err, hiddenOptions);
  if (cmd.upper && cmd.lower && cmd.upper.value > 0 && cmd.upper.value < cmd.lower.value) {
    err('ipvsadm-invalid-value', cmd.upper.word, `upper threshold ${cmd.upper.value} is below the lower threshold ${cmd.lower.value}: ipvsadm rejects it`);
  }
  if (cmd.schedFlags && cmd.scheduler) {
    for (const f of cmd.schedFlags.text.split(',')) {
      const needs = f.startsWith('sh-') ? 'sh' : f.startsWith('mh-') ? 'mh' : undefined;
      if (needs && cmd.scheduler.text !== needs) err('ipvsadm-invalid-value', cmd.schedFlags, `scheduler flag '${f}' only applies to the ${needs} scheduler`);
    }
  }
  if (cmd.service && cmd.dest && cmd.service.ipv6 !== cmd.dest.ipv6 && cmd.method?.kind !== 'tun') {
    err('ipvsadm-invalid-value', cmd.dest.word, 'a real server of another address family is only allowed with tunneling (-i)');
  }
}
