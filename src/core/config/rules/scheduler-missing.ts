import { missingOptionRule } from './vs-defaults';

export const schedulerMissing = missingOptionRule('scheduler-missing', ['lb_algo', 'lvs_sched'], 'lb_algo wlc', () => "no scheduler set: keepalived uses 'wlc' and reports it as a config error. Add `lb_algo` (rr, wlc, sh...)");
