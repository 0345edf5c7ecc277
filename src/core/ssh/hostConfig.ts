// How to reach one host: from a hosts file, from ~/.ssh/config, or built by the caller.

import type { HostRole } from '../capture/manifest';

export interface HostConfig {
  /** Name used in messages, capture points and file names (alias). */
  name: string;
  /** Address or DNS name to connect to (ssh_config HostName). */
  host: string;
  port?: number;
  user?: string;
  /** Private key files to offer, in order (ssh_config IdentityFile, `~` expanded). */
  identityFiles?: string[];
  /** Jump hosts, ssh_config ProxyJump syntax: `[user@]host[:port]` or an alias, comma-separated, first hop first. */
  proxyJump?: string;
  /** Use the SSH agent (default: when SSH_AUTH_SOCK is set). A string is the agent socket path. */
  agent?: boolean | string;
  /** Capture role of this host (hosts file). */
  role?: HostRole;
  /** For real servers: the address the service uses for it (its real-server address). */
  address?: string;
  /** For real servers: the real-server name in the cluster model. */
  realServer?: string;
  /** Overrides the pool's connect timeout for this host. */
  connectTimeoutMs?: number;
  /** Run this machine's commands here instead of over SSH (the "probe from here" case). */
  local?: boolean;
}

/** Finds a host by name; may read files (ssh_config). */
export type HostResolver = (name: string) => HostConfig | undefined | Promise<HostConfig | undefined>;
