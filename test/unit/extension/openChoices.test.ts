// "LVS: Open Capture…": its file dialog and what a picked path opens
// (src/extension/captures/openChoices.ts, no vscode).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OPEN_CAPTURE_DIALOG, captureToOpen } from '../../../src/extension/captures/openChoices';
import { repoRoot } from '../../helpers/env';

describe('Open Capture (extension side)', function () {
  let tmp: string;
  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-open-ext-'));
  });
  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('asks with a files-only dialog (on Windows and Linux one that may pick folders picks nothing else), offering capture.json and pcaps', function () {
    assert.equal(OPEN_CAPTURE_DIALOG.canSelectFiles, true);
    assert.equal(OPEN_CAPTURE_DIALOG.canSelectFolders, false);
    assert.equal(OPEN_CAPTURE_DIALOG.canSelectMany, false);
    assert.deepEqual(Object.values(OPEN_CAPTURE_DIALOG.filters), [['json', 'pcap', 'pcapng', 'cap']]);
    assert.match(OPEN_CAPTURE_DIALOG.title, /capture folder's capture\.json or a pcap file/);
    // The command uses these options, and nothing lets it pick folders again.
    const command = fs.readFileSync(path.join(repoRoot, 'src', 'extension', 'commands', 'openCapture.ts'), 'utf8');
    assert.match(command, /showOpenDialog\(\{\s+\.\.\.OPEN_CAPTURE_DIALOG,/);
    assert.doesNotMatch(command, /canSelectFolders/);
  });

  it('opens a capture.json as its folder, a capture folder and a pcap as they are; says what is wrong with anything else', function () {
    const cap = path.join(tmp, '20261125-150102-tcp_192.0.2.10_80');
    fs.mkdirSync(cap);
    fs.writeFileSync(path.join(cap, 'capture.json'), '{}');
    const pcap = path.join(tmp, 'rs1-eth0.pcapng');
    fs.writeFileSync(pcap, 'x');
    assert.deepEqual(captureToOpen(path.join(cap, 'capture.json')), { source: cap }, 'picked in the dialog');
    assert.deepEqual(captureToOpen(cap), { source: cap }, 'from the LVS view (a Uri of the folder)');
    assert.deepEqual(captureToOpen(pcap), { source: pcap });
    assert.deepEqual(captureToOpen(path.join(tmp, 'x.CAP')), { source: path.join(tmp, 'x.CAP') }, 'the flow view says what is wrong with a pcap');
    fs.writeFileSync(path.join(tmp, 'settings.json'), '{}');
    assert.deepEqual(captureToOpen(path.join(tmp, 'settings.json')), {
      problem: `${path.join(tmp, 'settings.json')} is not a capture.json: open a capture folder's capture.json, or a .pcap/.pcapng/.cap file.`,
    });
    assert.deepEqual(captureToOpen(tmp), { problem: `${tmp} is neither a capture folder (no capture.json in it) nor a .pcap/.pcapng file.` });
  });
});
