// The read-only commands the check runs, by label. Every argv is fixed text: no
// user-supplied value reaches a remote shell. The kernel-config and sysctl scripts
// only read files; `uname -r` is evaluated remotely on purpose (the running kernel).

export interface StateCommand {
  label: string;
  argv: string[];
  sudo?: boolean;
  roles: ('director' | 'real-server')[];
  /** Cap on the output kept (the check never needs more). */
  maxOutputBytes?: number;
}

export const KERNEL_CONFIG_SCRIPT = [
  'r=$(uname -r); echo "# uname -r: $r"',
  // CONFIG_HZ: /proc/net/ip_vs prints the persistence timeout in jiffies.
  'if [ -r "/boot/config-$r" ]; then grep -E "^(# )?CONFIG_(IP_VS|HZ=)" "/boot/config-$r"; exit 0; fi',
  'if [ -r /proc/config.gz ]; then zcat /proc/config.gz | grep -E "^(# )?CONFIG_(IP_VS|HZ=)"; exit 0; fi',
  'echo "no kernel config: neither /boot/config-$r nor /proc/config.gz" >&2; exit 3',
].join('\n');

/**
 * The sysctls the rules need, read from /proc/sys and printed the way `sysctl`
 * prints them (`net.ipv4.conf.eth0/100.rp_filter = 0`: dots and slashes swap in the
 * key). Not `sysctl` itself: it lives in /usr/sbin or /sbin, which is not on a
 * normal user's PATH on Debian ("sysctl: command not found"), and minimal systems
 * may not have procps at all. One grep reads every file; -s leaves out the
 * unreadable ones and a missing tree (no net.ipv4.vs without IPVS).
 */
export const SYSCTL_SCRIPT =
  "cd /proc/sys && grep -rs '' net/ipv4/ip_forward net/ipv4/conf net/ipv4/vs | sed 'h;s/:.*//;y|./|/.|;G;s/\\n[^:]*:/ = /'";

export const stateCommands: StateCommand[] = [
  { label: 'ip addr', argv: ['ip', 'addr', 'show'], roles: ['director', 'real-server'] },
  { label: 'ip route', argv: ['ip', 'route', 'show'], roles: ['director', 'real-server'] },
  {
    label: 'sysctl',
    argv: ['sh', '-c', SYSCTL_SCRIPT],
    roles: ['director', 'real-server'],
  },
  { label: 'ss -lntu', argv: ['ss', '-lntu'], roles: ['real-server'] },
  { label: 'ipvsadm -Ln', argv: ['ipvsadm', '-Ln'], sudo: true, roles: ['director'] },
  { label: 'ipvsadm -Ln --stats', argv: ['ipvsadm', '-Ln', '--stats', '--exact'], sudo: true, roles: ['director'] },
  { label: 'ipvsadm -Ln --rate', argv: ['ipvsadm', '-Ln', '--rate', '--exact'], sudo: true, roles: ['director'] },
  { label: 'ipvsadm -Lnc', argv: ['ipvsadm', '-Lnc'], sudo: true, roles: ['director'], maxOutputBytes: 4 * 1024 * 1024 },
  { label: '/proc/net/ip_vs', argv: ['cat', '/proc/net/ip_vs'], roles: ['director'] },
  { label: 'kernel config', argv: ['sh', '-c', KERNEL_CONFIG_SCRIPT], roles: ['director'] },
  // keepalived's VRRP state as it logged it (read-only; absent without systemd or keepalived).
  { label: 'keepalived log', argv: ['journalctl', '-u', 'keepalived', '-n', '500', '--no-pager', '-o', 'cat'], roles: ['director'] },
];
