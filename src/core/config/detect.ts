// Which config language a file is: by VS Code language id, then file name, then content.
import * as path from 'node:path';
import type { ConfigLanguage } from './diagnostic';

export function detectLanguage(file: string, text: string, languageId?: string): ConfigLanguage | undefined {
  if (languageId === 'keepalived') return 'keepalived';
  if (languageId === 'ipvsadm' || languageId === 'shellscript') return 'ipvsadm';
  const base = path.basename(file).toLowerCase();
  if (base === 'keepalived.conf' || base.endsWith('.keepalived.conf') || base.endsWith('.keepalived')) return 'keepalived';
  if (base.endsWith('.ipvsadm') || base === 'ipvsadm.rules' || base.startsWith('ipvsadm-save') || base === 'ipvsadm.conf' || base === 'ipvsadm') return 'ipvsadm';
  if (base.endsWith('.sh') || base.endsWith('.bash')) return 'ipvsadm';
  if (/(^|\n)\s*(virtual_server|vrrp_instance|global_defs|vrrp_script|virtual_server_group|include)\b/.test(text)) return 'keepalived';
  if (/(^|\n)\s*-[AaEeDd]\s+-[tuf]\s/.test(text) || /(^|[\s;&|])ipvsadm\s+-/.test(text)) return 'ipvsadm';
  if (/(^|[\\/])keepalived[\\/]/.test(file)) return 'keepalived';
  return undefined;
}
