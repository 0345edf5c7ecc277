import { missingOptionRule } from './vs-defaults';

export const protocolMissing = missingOptionRule(
  'protocol-missing',
  ['protocol'],
  'protocol TCP',
  () => 'no protocol set: keepalived 2.2.7 makes this a UDP service (its documentation says TCP). Add `protocol TCP` or `protocol UDP`',
  true,
);
