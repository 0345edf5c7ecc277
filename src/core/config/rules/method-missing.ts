import { missingOptionRule } from './vs-defaults';

export const methodMissing = missingOptionRule('method-missing', ['lb_kind', 'lvs_method'], 'lb_kind NAT', () => 'no forwarding method set: keepalived uses NAT — a DR or TUN cluster then sends traffic the wrong way. Add `lb_kind NAT`, `DR` or `TUN`');
