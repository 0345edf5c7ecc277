// A real server added to (or a service edited/deleted that was) never defined
// earlier in the rules: the kernel refuses it, and ipvsadm says "Service not
// defined" for -a/-e/-d but "No such service" for -E/-D (ipvs_strerror in
// libipvs). Usually a typo in the address, port or protocol (-t vs -u).
//
// That holds where the table is known to start empty: an ipvsadm-save file
// (restored as a whole by `ipvsadm -R`), or a shell script after an `ipvsadm -C`
// that always runs. Elsewhere in a shell script the table's earlier state is
// unknown — the service may have been made by an earlier run, another script or
// keepalived — so:
//  - a command whose failure is expected (stderr to /dev/null, `|| true`, an
//    if/while condition, after `&&`/`||`, `!`) or whose place in the run is not
//    the text's (a case branch, a function, an if/else body: `stop)` written
//    before `start)`) gets no diagnostic;
//  - an unguarded -D/-E/-d/-e at the top of the script gets an info: it works only
//    when the service exists as the script starts, and a clean-up of an earlier
//    run should say that its failure is fine (`2>/dev/null || true`), or the
//    script stops there under `set -e`;
//  - an unguarded -a at the top of the script stays an error: adding real servers
//    to a service the script never creates is, in practice, a typo far more often
//    than a service made elsewhere.
import { replayIpvsadm } from '../ipvsadm/replay';
import type { LintRule } from './rule';

export const ipvsadmUndefinedService: LintRule = {
  code: 'ipvsadm-undefined-service',
  severity: 'error',
  languages: ['ipvsadm'],
  description: 'Real server added to, or edit/delete of, a virtual service that was never defined.',
  check(ctx) {
    if (!ctx.ipvsadm) return;
    for (const e of replayIpvsadm(ctx.ipvsadm).filter((x) => x.kind === 'undefined-service')) {
      const said = e.op === 'edit-service' || e.op === 'delete-service' ? 'No such service' : 'Service not defined';
      const sh = e.command.shell;
      if (!e.stateKnown && sh) {
        if (sh.guarded || sh.branch || sh.conditional) continue;
        if (e.op !== 'add-dest') {
          ctx.report({
            severity: 'info',
            file: ctx.ipvsadm.file,
            range: e.range,
            message: `service ${e.what} is not defined earlier in this script: this line works only if the service exists when the script runs, else ipvsadm fails ("${said}") and a script with set -e stops here. If it cleans up after an earlier run, say that failing is fine ('… 2>/dev/null || true'); if not, check the address, port and protocol`,
          });
          continue;
        }
      }
      const fix = e.op === 'delete-service' ? 'there is nothing to delete — remove this line, or fix the address, port or protocol' : 'add it with -A first, or fix the address, port or protocol';
      ctx.report({
        file: ctx.ipvsadm.file,
        range: e.range,
        message: `service ${e.what} is not defined before this line (ipvsadm: "${said}"): ${fix}`,
      });
    }
  },
};
