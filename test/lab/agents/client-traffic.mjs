/* global setTimeout, clearTimeout */
// Client requests to the VIP, run inside the client's namespace by the lab.
// Usage: node client-traffic.mjs '<json {protocol, vip, port, count, fixedSourcePort?, sourcePortBase?, timeoutMs}>'
// fixedSourcePort: every request from that port; sourcePortBase: request k from port base+k
// (reproducible real-server choice); neither: the kernel picks.
// Prints one JSON array: [{ ok, answeredBy?, error?, sourcePort? }]. Requests run one after the other.
import net from 'node:net';
import dgram from 'node:dgram';

const opts = JSON.parse(process.argv[2] ?? '{}');
const { protocol, vip, port, count, fixedSourcePort, sourcePortBase } = opts;
const portFor = (k) => fixedSourcePort ?? (sourcePortBase !== undefined ? sourcePortBase + k : undefined);
const timeoutMs = opts.timeoutMs ?? 1500;

function tcpOnce(localPort) {
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    let sourcePort;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ...r, sourcePort });
    };
    const sock = net.connect({ host: vip, port, localPort });
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    sock.on('connect', () => {
      sourcePort = sock.localPort;
      sock.write(`GET / HTTP/1.0\r\nHost: ${vip}\r\n\r\n`);
    });
    sock.on('data', (d) => {
      data += d.toString();
    });
    sock.on('end', () => {
      const m = /hello from (\S+)/.exec(data);
      finish(m ? { ok: true, answeredBy: m[1] } : { ok: false, error: `unexpected answer ${JSON.stringify(data.slice(0, 80))}` });
    });
    sock.on('error', (e) => finish({ ok: false, error: e.code ?? e.message }));
  });
}

function udpSocket(localPort) {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: localPort !== undefined });
    s.once('error', reject);
    s.bind(localPort ?? 0, () => s.connect(port, vip, () => resolve(s)));
  });
}

function udpOnce(sock, k) {
  return new Promise((resolve) => {
    const sourcePort = sock.address().port;
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.off('message', onMessage);
      sock.off('error', onError);
      resolve({ ...r, sourcePort });
    };
    const onMessage = (msg) => finish({ ok: true, answeredBy: msg.toString().trim() });
    // ICMP port unreachable on a connected socket surfaces as ECONNREFUSED
    const onError = (e) => finish({ ok: false, error: e.code ?? e.message });
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    sock.on('message', onMessage);
    sock.on('error', onError);
    sock.send(`req ${k} from port ${sourcePort}`);
  });
}

const results = [];
let fixedUdp;
for (let k = 0; k < count; k++) {
  if (protocol === 'tcp') {
    results.push({ ...(await tcpOnce(portFor(k))), ...(portFor(k) !== undefined && { sourcePort: portFor(k) }) });
  } else {
    try {
      // a fixed source port keeps one socket, like a client that keeps its port (the quiescent case)
      const sock = fixedSourcePort !== undefined ? (fixedUdp ??= await udpSocket(fixedSourcePort)) : await udpSocket(portFor(k));
      results.push(await udpOnce(sock, k));
      if (fixedSourcePort === undefined) sock.close();
    } catch (e) {
      results.push({ ok: false, error: e.code ?? e.message });
    }
  }
}
fixedUdp?.close();
process.stdout.write(JSON.stringify(results) + '\n');
