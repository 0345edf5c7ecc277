// A keepalived.conf describing the lab as a real LVS cluster would be configured:
// one vrrp_instance holding the VIP on the director, a TCP and a UDP virtual_server,
// every real server with its health check. The lab does not run keepalived (no IPVS
// here); the file is what the extension, the capture CLI and the checks read.
import { lanAddressOf, realServersOf, type TopologyPlan } from './topology';

const lbKind = { nat: 'NAT', dr: 'DR', tun: 'TUN' } as const;

export function keepalivedConf(plan: TopologyPlan): string {
  const director = plan.hosts.find((h) => h.role === 'director')!;
  const rs = realServersOf(plan);
  const lines: string[] = [
    `# LVS lab instance ${plan.instance}, mode ${plan.mode}${plan.breaks.length ? `, breaks: ${plan.breaks.join(' ')}` : ''}`,
    '# The lab director emulates IPVS with nftables, choosing the real server by a hash of',
    '# the client address and source port: IPVS "sh" with the sh-port flag.',
    'global_defs {',
    `    router_id lvslab${plan.instance}_director`,
    '}',
    '',
    'vrrp_instance VI_1 {',
    '    state MASTER',
    `    interface ${director.lanInterface}`,
    '    virtual_router_id 51',
    '    priority 150',
    '    advert_int 1',
    '    virtual_ipaddress {',
    `        ${plan.vip}/32 dev ${director.lanInterface}`,
    '    }',
    '}',
    '',
  ];
  const service = (proto: 'TCP' | 'UDP', port: number, rsPort: number) => {
    lines.push(
      `virtual_server ${plan.vip} ${port} {`,
      '    delay_loop 6',
      '    lb_algo sh',
      '    sh-port',
      `    lb_kind ${lbKind[plan.mode]}`,
      `    protocol ${proto}`,
      '',
    );
    for (const h of rs) {
      lines.push(`    real_server ${lanAddressOf(h)} ${rsPort} {`, '        weight 1', '        inhibit_on_failure');
      if (proto === 'TCP') lines.push('        TCP_CHECK {', '            connect_timeout 3', '        }');
      else lines.push('        UDP_CHECK {', '            connect_timeout 3', '        }');
      lines.push('    }');
    }
    lines.push('}', '');
  };
  service('TCP', plan.tcpPort, plan.rsPort);
  service('UDP', plan.udpPort, plan.udpPort);
  return lines.join('\n');
}
