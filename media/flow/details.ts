// The packet details pane: the decoded fields as a tree and the bytes as a hex dump.
import type { PacketDetails, PacketField } from '../../src/extension/flow/protocol';
import { el, clear } from './dom';

function fieldItem(f: PacketField): HTMLElement {
  const line = el('span', { class: 'field' }, el('span', { class: 'field-name' }, f.name), f.value !== undefined ? el('span', { class: 'field-value' }, f.value) : null);
  if (!f.children?.length) return el('li', {}, line);
  const d = el('details', { open: '' }, el('summary', {}, line), el('ul', {}, ...f.children.map(fieldItem)));
  return el('li', {}, d);
}

/** `0000  45 00 …  E.` lines, 16 bytes each. */
export function hexDump(hex: string): string {
  const lines: string[] = [];
  for (let off = 0; off * 2 < hex.length; off += 16) {
    const chunk = hex.slice(off * 2, off * 2 + 32);
    const bytes = chunk.match(/../g) ?? [];
    const ascii = bytes.map((b) => {
      const c = parseInt(b, 16);
      return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    });
    lines.push(`${off.toString(16).padStart(4, '0')}  ${bytes.join(' ').padEnd(47)}  ${ascii.join('')}`);
  }
  return lines.join('\n');
}

export function renderDetails(host: HTMLElement, d: PacketDetails): void {
  clear(host);
  const when = new Date(d.ts * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
  host.appendChild(
    el(
      'div',
      { class: 'details-head' },
      el('strong', {}, `Packet ${d.ref.n}`),
      ` at ${d.where} · ${when} · ${d.capturedLength} of ${d.originalLength} bytes captured`,
    ),
  );
  host.appendChild(el('ul', { class: 'fields', role: 'tree' }, ...d.fields.map(fieldItem)));
  host.appendChild(el('pre', { class: 'hex', 'aria-label': 'Packet bytes' }, hexDump(d.hex)));
  if (d.bytesCapped) host.appendChild(el('p', { class: 'capped' }, 'Bytes shown are capped.'));
}

export function renderDetailsMessage(host: HTMLElement, text: string, cls = 'hint'): void {
  clear(host);
  host.appendChild(el('p', { class: cls }, text));
}
