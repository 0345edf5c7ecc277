// Public API of the SSH layer (used by capture, the cluster check and the VS Code layer).
export type { ClockReading, ExecOptions, ExecResult, RemoteHost } from './remote';
export type { HostConfig, HostResolver } from './hostConfig';
export type { GetSecret, LogFn, LogLevel, SecretRequest } from './secrets';
export { DEFAULT_MAX_CONNECTING, SshPool, type SshPoolOptions, type UnknownHostKeyInfo, type HostKeyDecision } from './pool';
export { SshHost } from './sshHost';
export { LocalHost } from './localHost';
export { SshError, type SshErrorKind } from './errors';
export { loadHostsFile, parseHostsFile } from './hostsFile';
export { resolveFromSshConfig, parseJumpSpec } from './sshConfig';
export { fingerprint, parseKnownHosts, checkHostKey, appendKnownHost, knownHostsName } from './knownHosts';
export {
  shellQuote,
  commandLine,
  validateInterface,
  validateBpfFilter,
  validateRemotePath,
  validateHostName,
  validateUserName,
  validateAddress,
  InvalidValueError,
} from './quote';
