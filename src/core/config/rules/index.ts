// The rule registry: one line per rule, sorted by code.
import { allWeightsZero } from './all-weights-zero';
import { authPassTooLong } from './auth-pass-too-long';
import { drPortRemap } from './dr-port-remap';
import { duplicateRealServer } from './duplicate-real-server';
import { ipvsadmDuplicateService } from './ipvsadm-duplicate-service';
import { ipvsadmUndefinedDestination } from './ipvsadm-undefined-destination';
import { ipvsadmUndefinedService } from './ipvsadm-undefined-service';
import { methodMissing } from './method-missing';
import { mixedForwardingMethods } from './mixed-forwarding-methods';
import { natRsNotOnDirectorSubnet } from './nat-rs-not-on-director-subnet';
import { noRealServers } from './no-real-servers';
import { nopreemptWithoutBackup } from './nopreempt-without-backup';
import { opsRequiresUdp } from './ops-requires-udp';
import { protocolMissing } from './protocol-missing';
import { quiescentUdpPersistence } from './quiescent-udp-persistence';
import type { LintRule } from './rule';
import { schedFlagMismatch } from './sched-flag-mismatch';
import { schedulerMissing } from './scheduler-missing';
import { udpPersistenceExpireTemplate } from './udp-persistence-expire-template';
import { udpTcpChecker } from './udp-tcp-checker';
import { vipNotInVrrp } from './vip-not-in-vrrp';
import { vridMissing } from './vrid-missing';
import { vridReused } from './vrid-reused';
import { zeroPortNotPersistent } from './zero-port-not-persistent';

export const rules: LintRule[] = [
  allWeightsZero,
  authPassTooLong,
  drPortRemap,
  duplicateRealServer,
  ipvsadmDuplicateService,
  ipvsadmUndefinedDestination,
  ipvsadmUndefinedService,
  methodMissing,
  mixedForwardingMethods,
  natRsNotOnDirectorSubnet,
  noRealServers,
  nopreemptWithoutBackup,
  opsRequiresUdp,
  protocolMissing,
  quiescentUdpPersistence,
  schedFlagMismatch,
  schedulerMissing,
  udpPersistenceExpireTemplate,
  udpTcpChecker,
  vipNotInVrrp,
  vridMissing,
  vridReused,
  zeroPortNotPersistent,
];
