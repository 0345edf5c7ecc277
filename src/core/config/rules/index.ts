// The rule registry: one line per rule, sorted by code.
import { advertIntFraction } from './advert-int-fraction';
import { allWeightsZero } from './all-weights-zero';
import { authPassTooLong } from './auth-pass-too-long';
import { delayLoopDefault } from './delay-loop-default';
import { drPortRemap } from './dr-port-remap';
import { duplicateRealServer } from './duplicate-real-server';
import { fwmarkPort } from './fwmark-port';
import { fwmarkProtocol } from './fwmark-protocol';
import { hysteresisAboveQuorum } from './hysteresis-above-quorum';
import { ipvsadmDuplicateService } from './ipvsadm-duplicate-service';
import { ipvsadmUndefinedDestination } from './ipvsadm-undefined-destination';
import { ipvsadmUndefinedService } from './ipvsadm-undefined-service';
import { methodMissing } from './method-missing';
import { mixedForwardingMethods } from './mixed-forwarding-methods';
import { natNoInnerVip } from './nat-no-inner-vip';
import { natRsNotOnDirectorSubnet } from './nat-rs-not-on-director-subnet';
import { noHealthCheck } from './no-health-check';
import { noRealServers } from './no-real-servers';
import { nopreemptWithoutBackup } from './nopreempt-without-backup';
import { opsRequiresUdp } from './ops-requires-udp';
import { persistenceQuiescent } from './persistence-quiescent';
import { protocolMissing } from './protocol-missing';
import { quiescentUdpPersistence } from './quiescent-udp-persistence';
import { quorumExceedsWeight } from './quorum-exceeds-weight';
import type { LintRule } from './rule';
import { schedFlagMismatch } from './sched-flag-mismatch';
import { schedulerMissing } from './scheduler-missing';
import { scriptSecurityDisabled } from './script-security-disabled';
import { sorryServerPort } from './sorry-server-port';
import { udpPersistenceExpireTemplate } from './udp-persistence-expire-template';
import { udpTcpChecker } from './udp-tcp-checker';
import { vipNotInVrrp } from './vip-not-in-vrrp';
import { vridMissing } from './vrid-missing';
import { vridReused } from './vrid-reused';
import { vrrpAuthIgnored } from './vrrp-auth-ignored';
import { vrrpNoAccept } from './vrrp-no-accept';
import { vrrpNoVip } from './vrrp-no-vip';
import { vrrpOwnerNopreempt } from './vrrp-owner-nopreempt';
import { vrrpPeerMismatch, vrrpPeerPriorityInversion, vrrpPeerSamePriority } from './vrrp-peer-mismatch';
import { vrrpPreemptDelayIgnored } from './vrrp-preempt-delay-ignored';
import { vrrpStrictMode } from './vrrp-strict-mode';
import { vrrpUnicastSrcWithoutPeers } from './vrrp-unicast-src-without-peers';
import { zeroPortNotPersistent } from './zero-port-not-persistent';

export const rules: LintRule[] = [
  advertIntFraction,
  allWeightsZero,
  authPassTooLong,
  delayLoopDefault,
  drPortRemap,
  duplicateRealServer,
  fwmarkPort,
  fwmarkProtocol,
  hysteresisAboveQuorum,
  ipvsadmDuplicateService,
  ipvsadmUndefinedDestination,
  ipvsadmUndefinedService,
  methodMissing,
  mixedForwardingMethods,
  natNoInnerVip,
  natRsNotOnDirectorSubnet,
  noHealthCheck,
  noRealServers,
  nopreemptWithoutBackup,
  opsRequiresUdp,
  persistenceQuiescent,
  protocolMissing,
  quiescentUdpPersistence,
  quorumExceedsWeight,
  schedFlagMismatch,
  schedulerMissing,
  scriptSecurityDisabled,
  sorryServerPort,
  udpPersistenceExpireTemplate,
  udpTcpChecker,
  vipNotInVrrp,
  vridMissing,
  vridReused,
  vrrpAuthIgnored,
  vrrpNoAccept,
  vrrpNoVip,
  vrrpOwnerNopreempt,
  vrrpPeerMismatch,
  vrrpPeerPriorityInversion,
  vrrpPeerSamePriority,
  vrrpPreemptDelayIgnored,
  vrrpStrictMode,
  vrrpUnicastSrcWithoutPeers,
  zeroPortNotPersistent,
];
