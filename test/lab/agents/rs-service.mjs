/* global setTimeout, clearTimeout, Buffer */
// Tiny service run inside a real server's namespace by the lab (ip netns exec ... node).
// TCP: an HTTP-ish answer "hello from <name>\n"; UDP: answers "<name>".
// Usage: node rs-service.mjs <name> <tcpPort> <udpPort> <udpBindAddress>
import net from 'node:net';
import dgram from 'node:dgram';

const [name, tcpPort, udpPort, udpBind] = process.argv.slice(2);
if (!name || !tcpPort || !udpPort || !udpBind) {
  console.error('usage: rs-service.mjs <name> <tcpPort> <udpPort> <udpBindAddress>');
  process.exit(2);
}
const stamp = () => new Date().toISOString();
const body = `hello from ${name}\n`;
const response =
  `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
  `Connection: close\r\nServer: lvslab-${name}\r\n\r\n${body}`;

const server = net.createServer((sock) => {
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    console.log(`${stamp()} tcp from ${sock.remoteAddress}:${sock.remotePort} to ${sock.localAddress}:${sock.localPort}`);
    sock.end(response);
  };
  // answer on the first bytes of a request, or after a short wait if the client sends nothing
  const timer = setTimeout(answer, 1000);
  sock.once('data', answer);
  sock.on('error', () => clearTimeout(timer));
  sock.setTimeout(5000, () => sock.destroy());
});
server.listen(Number(tcpPort), '0.0.0.0');

// Bound to the VIP in DR so the reply leaves with the VIP as source, as LVS-DR needs.
const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => {
  console.log(`${stamp()} udp from ${rinfo.address}:${rinfo.port} ${JSON.stringify(msg.toString().slice(0, 60))}`);
  udp.send(name, rinfo.port, rinfo.address);
});
udp.bind(Number(udpPort), udpBind);

const stop = () => {
  server.close();
  udp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
