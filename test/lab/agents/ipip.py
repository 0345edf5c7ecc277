"""IP-in-IP for the lab's TUN mode, in user space: this kernel has no ipip module.

  ipip.py encap <tun-device> <rs-address>...   (director)
      Packets routed into <tun-device> (client -> VIP) are chosen a real server by a
      hash of client address and source port (per connection, reproducible) and sent
      to it inside an outer IPv4 header with protocol 4, as LVS/TUN does.
  ipip.py decap <tun-device>                   (real server, device named tunl0)
      IPv4 protocol-4 packets arriving at this host lose their outer header and are
      handed to the kernel on <tun-device>, which holds the VIP.
"""
import fcntl
import os
import socket
import struct
import sys
import zlib

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
IPPROTO_IPIP = 4


def open_tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def encap(fd, servers):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_IPIP)
    while True:
        pkt = os.read(fd, 65535)
        if len(pkt) < 20 or pkt[0] >> 4 != 4:
            continue
        ihl = (pkt[0] & 15) * 4
        key = pkt[12:16] + pkt[ihl:ihl + 2]  # client address . source port
        rs = servers[zlib.crc32(key) % len(servers)]
        try:
            raw.sendto(pkt, (rs, 0))
        except OSError as e:  # e.g. EMSGSIZE: the kernel already told the sender
            print('ipip: send to %s failed: %s' % (rs, e), flush=True)


def decap(fd):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_IPIP)
    while True:
        pkt = raw.recv(65535)
        ihl = (pkt[0] & 15) * 4
        if len(pkt) > ihl:
            os.write(fd, pkt[ihl:])


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('encap', 'decap') or (sys.argv[1] == 'encap' and len(sys.argv) < 4):
        sys.exit(__doc__)
    fd = open_tun(sys.argv[2])
    print('ipip: %s on %s ready' % (sys.argv[1], sys.argv[2]), flush=True)
    if sys.argv[1] == 'encap':
        encap(fd, sys.argv[3:])
    else:
        decap(fd)


if __name__ == '__main__':
    main()
