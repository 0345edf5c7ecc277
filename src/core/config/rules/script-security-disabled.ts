// keepalived runs scripts (MISC_CHECK, notify_*, quorum_*, tracked vrrp_scripts,
// startup/shutdown scripts) and, without `enable_script_security` in global_defs,
// reports it as a security error, once per process (checked with keepalived 2.2.7,
// `keepalived -t` and the daemon, in a network namespace):
//   "SECURITY VIOLATION - check scripts are being executed but script_security not enabled."
//   "SECURITY VIOLATION - scripts are being executed but script_security not enabled." (VRRP)
//   "SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled."
// with " There are insecure scripts." added when a script, or a directory on its
// path, can be written by a user other than root. `keepalived -t` exits 6; the
// daemon logs it and runs the scripts anyway. That is so whatever user the script
// runs as (script_user nobody too) and whatever the script is (/bin/true too);
// only a script that cannot be found is not counted (keepalived disables that
// check: "Disabling misc script … since not found/accessible"). A vrrp_script no
// instance tracks is not run and not counted.
// With enable_script_security, keepalived runs scripts as script_user (or `user`
// in the block), by default the keepalived_script user: when that user does not
// exist and no script_user is set, it removes the check ("Unable to set default
// user for misc script '…' - removing"); a script a non-root user can change that
// would run as root is disabled ("Disabling misc script '…' due to insecure").
// (keepalived -t 2.2.7 kills itself with SIGTERM, exit 143, when it checks a
// script that runs as a non-root user: it cannot judge those configs.)
// A file without global_defs may be a part included by the config that has it,
// and an include we could not read may hold enable_script_security: not judged.
import type { RelatedLocation } from '../diagnostic';
import { type Statement, children, headerRange, walk } from '../keepalived/ast';
import type { LintRule } from './rule';

type Process = 'checker' | 'vrrp' | 'core';

const SAID: Record<Process, string> = {
  checker: 'SECURITY VIOLATION - check scripts are being executed but script_security not enabled.',
  vrrp: 'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
  core: 'SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled.',
};

const VRRP_NOTIFY = new Set(['notify', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify_master_rx_lower_pri']);

/** The statements that make keepalived run a script, by the process that runs it. */
function scripts(statements: Statement[]): Record<Process, Statement[]> {
  const found: Record<Process, Statement[]> = { checker: [], vrrp: [], core: [] };
  const vrrpScripts = new Map<string, Statement>();
  const tracked = new Set<string>();
  walk(statements, (s, parent) => {
    if (s.entry) {
      if (parent?.keyword.text === 'track_script' && (parent.context === 'vrrp_instance' || parent.context === 'vrrp_sync_group')) tracked.add(s.keyword.text);
      return;
    }
    const kw = s.keyword.text;
    if (!s.args.length && !s.templated) return;
    if ((s.context === 'MISC_CHECK' && kw === 'misc_path') || (s.context === 'real_server' && (kw === 'notify_up' || kw === 'notify_down')) || (s.context === 'virtual_server' && (kw === 'quorum_up' || kw === 'quorum_down'))) {
      found.checker.push(s);
    } else if ((s.context === 'vrrp_instance' || s.context === 'vrrp_sync_group') && VRRP_NOTIFY.has(kw)) {
      found.vrrp.push(s);
    } else if (s.context === 'vrrp_script' && kw === 'script' && parent?.args[0]) {
      vrrpScripts.set(parent.args[0].text, s);
    } else if (s.context === 'global_defs' && (kw === 'startup_script' || kw === 'shutdown_script')) {
      found.core.push(s);
    }
  });
  for (const [name, s] of vrrpScripts) if (tracked.has(name)) found.vrrp.push(s);
  for (const k of Object.keys(found) as Process[]) found[k].sort((a, b) => (a.file === b.file ? a.keyword.line - b.keyword.line : 0));
  return found;
}

/** An include in `list` that brought no statement in (no file matched, or it could not be read). */
function unreadInclude(list: Statement[]): boolean {
  // The statements an include reads follow it in the same body.
  return list.some((s, i) => !s.entry && /^include[rmwba]?$/.test(s.keyword.text) && (i + 1 >= list.length || list[i + 1].file === s.file));
}

export const scriptSecurityDisabled: LintRule = {
  code: 'script-security-disabled',
  severity: 'error',
  languages: ['keepalived'],
  description: 'Scripts (MISC_CHECK, notify, vrrp_script...) without enable_script_security: keepalived reports a SECURITY VIOLATION (keepalived -t exits 6).',
  check(ctx) {
    const cfg = ctx.keepalived;
    if (!cfg) return;
    const globals = cfg.statements.filter((s) => !s.entry && s.keyword.text === 'global_defs');
    if (globals.length === 0 || unreadInclude(cfg.statements) || globals.some((g) => unreadInclude(g.body ?? []))) return;
    if (globals.some((g) => g.templated || children(g, 'enable_script_security').length > 0 || (g.body ?? []).some((s) => s.templated))) return;
    const found = scripts(cfg.statements);
    for (const p of ['checker', 'vrrp', 'core'] as Process[]) {
      const [first, ...rest] = found[p];
      if (!first) continue;
      const related: RelatedLocation[] = rest.map((s) => ({ file: s.file, range: headerRange(s), message: `${s.keyword.text}: another script` }));
      const what = p === 'checker' ? 'a health-check script' : p === 'vrrp' ? 'a VRRP script' : 'a start-up/shut-down script';
      ctx.report({
        file: first.file,
        range: headerRange(first),
        message: `${first.keyword.text} runs ${what}${rest.length ? ` (and ${rest.length} other script${rest.length > 1 ? 's' : ''})` : ''} but no global_defs has enable_script_security: keepalived reports "${SAID[p]}" (keepalived -t exits 6) and runs the scripts anyway — as root unless script_user (or an existing keepalived_script user) says otherwise — even one a non-root user can change (it then adds "There are insecure scripts."). Add enable_script_security to global_defs, with script_user set to the user the scripts should run as: keepalived then removes a script whose user does not exist (keepalived_script by default) and disables one a non-root user can change that would run as root`,
        related: related.length ? related : undefined,
      });
    }
  },
};
