// What the capture commands are given, without the `vscode` API: a Uri (Explorer,
// the tree item's own command, another extension, a test) or, for an inline action
// of the LVS tree (view/item/context), the tree element itself.
import type { Node } from '../tree/treeNodes';

/** The capture folder or pcap file a command argument names; undefined: ask the user. */
export function captureSourceOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg || undefined;
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as Partial<Extract<Node, { kind: 'capture' }>>;
  if (node.kind === 'capture') return typeof node.path === 'string' && node.path ? node.path : undefined;
  const uri = arg as { scheme?: unknown; fsPath?: unknown };
  if (typeof uri.fsPath === 'string' && uri.fsPath && (uri.scheme === undefined || uri.scheme === 'file')) return uri.fsPath;
  return undefined;
}
