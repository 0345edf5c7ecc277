// Which config language a file is: by VS Code language id, then file name, then content.
import * as path from 'node:path';
import type { ConfigLanguage } from './diagnostic';

/** The file names each language is known by (`*`: any text), first match wins, keepalived
 *  first; messages list them from here. */
export const languageFileNames: Record<ConfigLanguage, string[]> = {
  keepalived: ['keepalived.conf', '*.keepalived.conf', '*.keepalived'],
  ipvsadm: ['*.ipvsadm', 'ipvsadm', 'ipvsadm.rules', 'ipvsadm.conf', 'ipvsadm-save*', '*.sh', '*.bash'],
};

const namePatterns: Array<[ConfigLanguage, RegExp]> = (Object.entries(languageFileNames) as Array<[ConfigLanguage, string[]]>).flatMap(([language, names]) =>
  names.map((n): [ConfigLanguage, RegExp] => [language, new RegExp(`^${n.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)]),
);

/** What a file must be called (or hold) to be linted, for a message about one that is neither. */
export function languageNamingHint(): string {
  return `name it ${languageFileNames.keepalived.join(', ')} (keepalived) or ${languageFileNames.ipvsadm.join(', ')} (ipvsadm rules), or put it in a keepalived/ folder`;
}

export function detectLanguage(file: string, text: string, languageId?: string): ConfigLanguage | undefined {
  if (languageId === 'keepalived') return 'keepalived';
  if (languageId === 'ipvsadm' || languageId === 'shellscript') return 'ipvsadm';
  const base = path.basename(file).toLowerCase();
  for (const [language, pattern] of namePatterns) if (pattern.test(base)) return language;
  if (/(^|\n)\s*(virtual_server|vrrp_instance|global_defs|vrrp_script|virtual_server_group|include)\b/.test(text)) return 'keepalived';
  if (/(^|\n)\s*-[AaEeDd]\s+-[tuf]\s/.test(text) || /(^|[\s;&|])ipvsadm\s+-/.test(text)) return 'ipvsadm';
  if (/(^|[\\/])keepalived[\\/]/.test(file)) return 'keepalived';
  return undefined;
}
