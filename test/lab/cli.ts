// `npm run lab -- up|down|status [--mode dr|nat|tun] [--break NAME]... [--instance K]
//   [--real-servers N] [--rs-behind-director] [--all]`
import { labUp, labDown, labStatus, formatLab, checkPrerequisites, type LabBreak, type LabMode, type LabOptions } from './lab';
import { MAX_INSTANCE } from './topology';

const usage = `usage: npm run lab -- <command> [options]
  up       bring a lab up (prints its hosts and how to ssh in)
  down     remove a lab: --instance K, or --all
  status   show every lab on this machine
options for up:
  --mode dr|nat|tun         forwarding method the director emulates (default dr)
  --break NAME              arp-problem | vip-missing-on-lo | wrong-gateway | dead-rs | no-tcpdump:<host> (repeatable)
  --instance K              0..${MAX_INSTANCE} (default: first free)
  --real-servers N          number of real servers (default 2)
  --rs-behind-director      real servers reachable only through the director (ProxyJump)
needs root, iproute2, nftables and openssh-server.`;

function parse(argv: string[]): { command: string; opts: LabOptions; all: boolean } {
  const [command, ...rest] = argv;
  const opts: LabOptions = {};
  let all = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (v: string) => {
      if (!/^\d+$/.test(v)) throw new Error(`${a} needs a whole number, got "${v}"`);
      return Number(v);
    };
    if (a === '--mode') opts.mode = value() as LabMode;
    else if (a === '--break') (opts.breaks ??= []).push(value() as LabBreak);
    else if (a === '--instance') opts.instance = int(value());
    else if (a === '--real-servers') opts.realServers = int(value());
    else if (a === '--rs-behind-director') opts.rsBehindDirector = true;
    else if (a === '--all') all = true;
    else throw new Error(`unknown option "${a}"`);
  }
  return { command: command ?? '', opts, all };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`lab: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  const { command, opts, all } = parsed;
  if (command === 'help' || command === '--help' || command === '') {
    console.log(usage);
    return command === '' ? 2 : 0;
  }
  if (!['up', 'down', 'status'].includes(command)) {
    console.error(`lab: unknown command "${command}"\n${usage}`);
    return 2;
  }
  await checkPrerequisites(opts.mode);
  if (command === 'up') {
    const lab = await labUp(opts);
    console.log(formatLab(lab));
    console.log(`  remove with:   npm run lab -- down --instance ${lab.instance}`);
  } else if (command === 'down') {
    if (all) for (let k = 0; k <= MAX_INSTANCE; k++) await labDown(k);
    else if (opts.instance === undefined) throw new Error('down needs --instance K (see `npm run lab -- status`) or --all');
    else await labDown(opts.instance);
    console.log(all ? 'all LVS labs removed' : `LVS lab instance ${opts.instance} removed`);
  } else {
    console.log(await labStatus());
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`lab: ${(e as Error).message}`);
    process.exit(1);
  },
);
