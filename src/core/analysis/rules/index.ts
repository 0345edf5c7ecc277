// The finding rules, in causal order: a rule may skip what an earlier one already
// explains (the ARP problem explains why the director saw nothing, a server that
// died explains why it stopped answering). One line per rule.

import { arpProblem } from './arpProblem';
import { directorNotForwarding } from './directorNotForwarding';
import { drReplyWrongSource } from './drReplyWrongSource';
import { forwardedNotReceived } from './forwardedNotReceived';
import { healthCheckFailing } from './healthCheckFailing';
import { natReplyBypassesDirector } from './natReplyBypassesDirector';
import { quiescentDeadServer } from './quiescentDeadServer';
import type { Rule } from './rule';
import { rsNoReply } from './rsNoReply';
import { rsRejects } from './rsRejects';
import { tunFragmentationNeeded } from './tunFragmentationNeeded';
import { unbalancedDistribution } from './unbalancedDistribution';
import { vipNoTraffic } from './vipNoTraffic';
import { vrrpFailover } from './vrrpFailover';
import { vrrpNoAdverts } from './vrrpNoAdverts';
import { vrrpSplitBrain } from './vrrpSplitBrain';

export const rules: Rule[] = [
  arpProblem,
  vrrpSplitBrain,
  vrrpNoAdverts,
  vipNoTraffic,
  directorNotForwarding,
  tunFragmentationNeeded,
  forwardedNotReceived,
  natReplyBypassesDirector,
  drReplyWrongSource,
  quiescentDeadServer,
  rsRejects,
  rsNoReply,
  healthCheckFailing,
  unbalancedDistribution,
  vrrpFailover,
];

export type { Rule, RuleContext } from './rule';
