// A lone .pcap/.pcapng opened in the flow view: the analysis reads capture folders,
// so the file becomes a one-point capture folder. Its target (the VIP) is not
// written anywhere: guessTarget (core/capture/guessTarget.ts) takes a VIP of the
// workspace's config that the file talks to, else the address most connection
// openings (TCP SYNs, UDP requests) go to. No `vscode` import.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { guessTarget } from '../../core/capture/guessTarget';
import type { CaptureManifest, ManifestService } from '../../core/capture/manifest';

export { guessTarget };

export function isPcapFile(p: string): boolean {
  return /\.(pcap|pcapng|cap)$/i.test(p);
}

/**
 * What the analysis reads for a source the user opened: a capture folder as it is; a
 * lone pcap file as a one-point capture folder whose target is guessed with the help
 * of the workspace config's services (`services`: their VIPs, methods, real servers).
 */
export function analysisSource(source: string, services: ManifestService[]): string {
  return isPcapFile(source) && fs.statSync(source).isFile() ? singleFileCapture(source, services) : source;
}

/**
 * Writes the one-point capture folder (capture.json + a symlink to the file, a copy
 * where links are not allowed) in a private temp folder; returns its path.
 */
export function singleFileCapture(file: string, services: ManifestService[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-pcap-'));
  const name = path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_');
  try {
    fs.symlinkSync(path.resolve(file), path.join(dir, name));
  } catch {
    fs.copyFileSync(file, path.join(dir, name));
  }
  const target = guessTarget(file, services.map((s) => s.vip).filter((v): v is string => !!v));
  const manifest: CaptureManifest = {
    format: 1,
    target,
    services: services.filter((s) => s.vip === target.vip),
    points: [{ host: path.basename(file), role: 'other', interface: 'file', file: name }],
    note: `one-point capture made from ${file}`,
  };
  fs.writeFileSync(path.join(dir, 'capture.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
