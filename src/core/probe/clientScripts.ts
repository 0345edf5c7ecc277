// The one-shot client run on the probing host: N connections (or UDP requests)
// to VIP:PORT, one JSON line per attempt {i, ok, sport, ms, answer, error}. Fixed
// script text; the target and settings travel as one JSON argument (quoted by the
// SSH layer), never spliced into the script. Python 3 or Node, whichever the host
// has; bash's /dev/tcp as a last resort (no source port, TCP only).

export type ProbeTool = 'python3' | 'node' | 'bash';

export interface ClientArgs {
  vip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  count: number;
  /** Connect (TCP) / reply (UDP) timeout per attempt. */
  timeoutMs: number;
  /** How long to read the answer after connecting (TCP). */
  readMs: number;
  intervalMs: number;
  /** Bytes sent after connecting (TCP; may be empty) or as the datagram (UDP), latin-1. */
  payload: string;
  maxAnswer: number;
}

export const DETECT_SCRIPT = 'for c in python3 node bash; do if command -v "$c" >/dev/null 2>&1; then echo "$c"; fi; done';

const PYTHON = String.raw`
import json, socket, sys, time
a = json.loads(sys.argv[1])
fam = socket.AF_INET6 if ':' in a['vip'] else socket.AF_INET
kind = socket.SOCK_STREAM if a['protocol'] == 'tcp' else socket.SOCK_DGRAM
for i in range(a['count']):
    r = {'i': i}
    s = socket.socket(fam, kind)
    t0 = time.monotonic()
    try:
        s.settimeout(a['timeoutMs'] / 1000.0)
        if a['protocol'] == 'tcp':
            s.connect((a['vip'], a['port']))
            r['ms'] = round((time.monotonic() - t0) * 1000, 3)
            r['sport'] = s.getsockname()[1]
            if a['payload']:
                s.sendall(a['payload'].encode('latin-1'))
            s.settimeout(a['readMs'] / 1000.0)
            data = b''
            try:
                while len(data) < a['maxAnswer']:
                    d = s.recv(4096)
                    if not d:
                        break
                    data += d
            except (socket.timeout, ConnectionResetError):
                pass
            r['answer'] = data[:a['maxAnswer']].decode('latin-1')
        else:
            s.connect((a['vip'], a['port']))
            r['sport'] = s.getsockname()[1]
            s.send(a['payload'].encode('latin-1'))
            d = s.recv(65535)
            r['ms'] = round((time.monotonic() - t0) * 1000, 3)
            r['answer'] = d[:a['maxAnswer']].decode('latin-1')
        r['ok'] = True
    except socket.timeout:
        r['ok'] = False
        r['error'] = 'timeout'
    except ConnectionRefusedError:
        r['ok'] = False
        r['error'] = 'refused'
    except ConnectionResetError:
        r['ok'] = False
        r['error'] = 'reset'
    except OSError as e:
        r['ok'] = False
        r['error'] = e.strerror or str(e)
    if 'sport' not in r:
        try:
            p = s.getsockname()[1]
            if p:
                r['sport'] = p
        except OSError:
            pass
    s.close()
    print(json.dumps(r), flush=True)
    time.sleep(a['intervalMs'] / 1000.0)
`;

const NODE = String.raw`
const net = require('net'), dgram = require('dgram');
const a = JSON.parse(process.argv[1]);
const one = (i) => new Promise((done) => {
  const r = { i }; const t0 = process.hrtime.bigint();
  const ms = () => Math.round(Number(process.hrtime.bigint() - t0) / 1e3) / 1e3;
  let finished = false;
  const end = (extra) => { if (finished) return; finished = true; Object.assign(r, extra); done(r); };
  if (a.protocol === 'tcp') {
    const s = net.connect({ host: a.vip, port: a.port });
    let data = Buffer.alloc(0);
    const t = setTimeout(() => { s.destroy(); end({ ok: false, error: 'timeout' }); }, a.timeoutMs);
    s.on('lookup', () => {});
    s.on('connect', () => {
      clearTimeout(t); r.ms = ms(); r.sport = s.localPort;
      if (a.payload) s.write(Buffer.from(a.payload, 'latin1'));
      setTimeout(() => { s.destroy(); end({ ok: true, answer: data.toString('latin1') }); }, a.readMs);
    });
    s.on('data', (d) => { data = Buffer.concat([data, d]).subarray(0, a.maxAnswer); });
    s.on('end', () => { s.destroy(); end({ ok: true, answer: data.toString('latin1') }); });
    s.on('error', (e) => {
      clearTimeout(t);
      if (r.ms !== undefined) return end({ ok: true, answer: data.toString('latin1') });
      if (s.localPort) r.sport = s.localPort;
      end({ ok: false, error: e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' ? 'reset' : String(e.code || e.message) });
    });
  } else {
    const s = dgram.createSocket(a.vip.includes(':') ? 'udp6' : 'udp4');
    const t = setTimeout(() => { s.close(); end({ ok: false, error: 'timeout' }); }, a.timeoutMs);
    s.on('message', (m) => { clearTimeout(t); r.ms = ms(); s.close(); end({ ok: true, answer: m.subarray(0, a.maxAnswer).toString('latin1') }); });
    s.on('error', (e) => { clearTimeout(t); try { s.close(); } catch { /* closed */ } end({ ok: false, error: e.code === 'ECONNREFUSED' ? 'refused' : String(e.code || e.message) }); });
    s.connect(a.port, a.vip, () => { r.sport = s.address().port; s.send(Buffer.from(a.payload, 'latin1')); });
  }
});
(async () => {
  for (let i = 0; i < a.count; i++) {
    process.stdout.write(JSON.stringify(await one(i)) + '\n');
    await new Promise((res) => setTimeout(res, a.intervalMs));
  }
})();
`;

// bash: one connection per iteration through /dev/tcp; no source port, no JSON
// parser, so the arguments come as plain positional values (checked before).
const BASH = String.raw`
vip=$1; port=$2; count=$3; tmo=$4
for ((i=0; i<count; i++)); do
  t0=$(date +%s%N)
  if out=$(timeout "$tmo" bash -c 'exec 3<>"/dev/tcp/$0/$1"; printf "%s" "$2" >&3; timeout 1 head -c 512 <&3' "$vip" "$port" "$5" 2>&1); then
    t1=$(date +%s%N)
    printf '{"i":%d,"ok":true,"ms":%d,"answer":"%s"}\n' "$i" $(( (t1-t0)/1000000 )) "$(printf '%s' "$out" | tr -d '\\"' | tr '\r\n\t' '   ' | head -c 300)"
  else
    case "$out" in *refused*) e=refused;; *) e=timeout;; esac
    printf '{"i":%d,"ok":false,"error":"%s"}\n' "$i" "$e"
  fi
done
`;

/** argv to run `tool` with `args` on the probing host. */
export function clientArgv(tool: ProbeTool, args: ClientArgs): string[] {
  if (tool === 'python3') return ['python3', '-c', PYTHON, JSON.stringify(args)];
  if (tool === 'node') return ['node', '-e', NODE, JSON.stringify(args)];
  if (args.protocol !== 'tcp') throw new Error('the bash fallback probes TCP only: install python3 or node on the probing host for UDP');
  return ['bash', '-c', BASH, 'lvs-probe', args.vip, String(args.port), String(args.count), String(Math.ceil(args.timeoutMs / 1000)), args.payload];
}
