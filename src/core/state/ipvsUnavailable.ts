// What ipvsadm (and the shell) print when there is no IPVS to talk to. Seen for
// real on a kernel without CONFIG_IP_VS (fixtures/lab/host-no-ipvs):
//   Can't initialize ipvs: Protocol not available
//   Are you sure that IP Virtual Server is built in the kernel or as module?

export interface IpvsUnavailable {
  /** `kernel`: IPVS not in the running kernel; `tool`: ipvsadm missing; `permission`: not root. */
  kind: 'kernel' | 'tool' | 'permission';
  reason: string;
}

/** Why IPVS could not be read, when `output` (stdout + stderr) says so; else undefined. */
export function ipvsUnavailable(output: string): IpvsUnavailable | undefined {
  if (/Permission denied \(you must be root\)/.test(output)) {
    return { kind: 'permission', reason: 'permission denied (ipvsadm needs root)' };
  }
  const init = /Can't initialize ipvs: ([^\n]*)/.exec(output);
  if (init) return { kind: 'kernel', reason: init[1].trim() || 'cannot initialize ipvs' };
  if (/\/proc\/net\/ip_vs: No such file or directory/.test(output)) {
    return { kind: 'kernel', reason: '/proc/net/ip_vs does not exist (ip_vs not loaded or not built)' };
  }
  if (/ipvsadm: (command )?not found/.test(output) || /ipvsadm: No such file or directory/.test(output)) {
    return { kind: 'tool', reason: 'ipvsadm is not installed' };
  }
  return undefined;
}

/** Short form: the reason text, or undefined. */
export function ipvsUnavailableReason(output: string): string | undefined {
  return ipvsUnavailable(output)?.reason;
}
