// What the LVS view shows, without the `vscode` API (./clusterTree.ts draws it): the
// sections at the root, and the content of the Cluster section from the workspace's
// cluster model.
import type { Finding } from '../../core/findings/finding';
import type { ClusterModel, RealServer, VirtualService, VrrpInstance } from '../../core/model/cluster';

export type Node =
  | { kind: 'section'; id: 'cluster' | 'captures' | 'check' }
  | { kind: 'service'; service: VirtualService }
  | { kind: 'realServer'; rs: RealServer }
  | { kind: 'directors' }
  | { kind: 'director'; name: string; detail?: string; location?: VrrpInstance['location'] }
  | { kind: 'capture'; name: string; path: string }
  | { kind: 'finding'; finding: Finding }
  | { kind: 'message'; text: string };

export const NO_CONFIG = 'No keepalived.conf or ipvsadm rules in this workspace';

/**
 * The root: the three sections, or nothing without a workspace folder, so that the
 * view's welcome content (open a folder, open a capture) shows instead.
 */
export function rootNodes(workspaceFolderCount: number): Node[] {
  if (workspaceFolderCount === 0) return [];
  return [
    { kind: 'section', id: 'cluster' },
    { kind: 'section', id: 'captures' },
    { kind: 'section', id: 'check' },
  ];
}

/** The Cluster section: the services, then the directors; a config with only VRRP instances still shows its directors. */
export function clusterNodes(model: Pick<ClusterModel, 'services' | 'vrrpInstances'>): Node[] {
  if (model.services.length === 0 && model.vrrpInstances.length === 0) return [{ kind: 'message', text: NO_CONFIG }];
  return [...model.services.map((service): Node => ({ kind: 'service', service })), { kind: 'directors' }];
}
