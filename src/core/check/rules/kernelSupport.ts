// ipvsadm accepts a service whose protocol or scheduler the running kernel was
// built without (reference §1.5 K1, §1.4 P5); the packets are then not balanced.
// Judged from the kernel's build config; only when IPVS itself is there.
import type { Finding } from '../../findings/finding';
import type { KernelConfig } from '../../state';
import type { CheckRule } from '../types';
import { serviceName } from '../helpers';

const schedulerOptions: Record<string, string> = {
  rr: 'IP_VS_RR', wrr: 'IP_VS_WRR', lc: 'IP_VS_LC', wlc: 'IP_VS_WLC', lblc: 'IP_VS_LBLC', lblcr: 'IP_VS_LBLCR',
  dh: 'IP_VS_DH', sh: 'IP_VS_SH', sed: 'IP_VS_SED', nq: 'IP_VS_NQ', fo: 'IP_VS_FO', ovf: 'IP_VS_OVF', mh: 'IP_VS_MH',
  twos: 'IP_VS_TWOS',
};
const protocolOptions: Record<string, string> = { tcp: 'IP_VS_PROTO_TCP', udp: 'IP_VS_PROTO_UDP', sctp: 'IP_VS_PROTO_SCTP' };

const has = (cfg: KernelConfig, opt: string): boolean => ['y', 'm'].includes(cfg.get(`CONFIG_${opt}`) ?? 'n');

export const kernelSupport: CheckRule = (ctx) => {
  const out: Finding[] = [];
  for (const d of ctx.directors) {
    const cfg = d.kernelConfig;
    if (!cfg || !has(cfg, 'IP_VS')) continue; // no config read, or no IPVS at all (check-ipvs-missing says so)
    const kernel = d.kernelRelease ? `kernel ${d.kernelRelease}` : 'the running kernel';
    const seenProto = new Set<string>();
    const seenSched = new Set<string>();
    const live = (d.ipvs?.services ?? []).map((s) => ({ protocol: s.protocol, scheduler: s.scheduler ?? '', name: `${s.protocol}:${s.vip ?? s.fwmark}:${s.port ?? ''}`, location: undefined }));
    const configured = ctx.model.services.map((s) => ({ protocol: s.fwmark !== undefined ? 'fwm' : s.protocol, scheduler: s.scheduler, name: serviceName(s), location: s.optionLocations?.lb_algo ?? s.optionLocations?.lvs_sched ?? s.location }));
    for (const s of [...configured, ...live]) {
      const protoOpt = protocolOptions[s.protocol];
      if (protoOpt && !seenProto.has(protoOpt) && !has(cfg, protoOpt)) {
        seenProto.add(protoOpt);
        out.push({
          code: 'check-kernel-proto-missing',
          severity: 'error',
          message: `${kernel} on ${d.name} was built without CONFIG_${protoOpt}: IPVS will not balance ${s.protocol.toUpperCase()} (service ${s.name}), although ipvsadm accepts the rule.`,
          advice: `Use a kernel with CONFIG_${protoOpt}=y.`,
          evidence: [{ host: d.name, text: `kernel config: CONFIG_${protoOpt}=${cfg.get(`CONFIG_${protoOpt}`) ?? '(absent)'}` }],
          location: s.location,
          service: s.name,
        });
      }
      const schedOpt = schedulerOptions[s.scheduler];
      if (schedOpt && !seenSched.has(schedOpt) && !has(cfg, schedOpt)) {
        seenSched.add(schedOpt);
        out.push({
          code: 'check-kernel-scheduler-missing',
          severity: 'error',
          message: `${kernel} on ${d.name} has no "${s.scheduler}" scheduler (CONFIG_${schedOpt} not set); service ${s.name} cannot be created with it.`,
          advice: `Pick a scheduler the kernel has, or use a kernel with CONFIG_${schedOpt}=m.`,
          evidence: [{ host: d.name, text: `kernel config: CONFIG_${schedOpt}=${cfg.get(`CONFIG_${schedOpt}`) ?? '(absent)'}` }],
          location: s.location,
          service: s.name,
        });
      }
    }
  }
  return out;
};
