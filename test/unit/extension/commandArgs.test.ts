// Capture commands take a Uri or the LVS tree's capture element (src/extension/captures/commandArgs.ts).
import * as assert from 'node:assert/strict';
import { captureSourceOf } from '../../../src/extension/captures/commandArgs';
import type { Node } from '../../../src/extension/tree/treeNodes';

describe('capture command arguments', function () {
  it('the tree\'s inline "Export Capture as pcapng" passes the tree element: its path is the capture', function () {
    const element: Node = { kind: 'capture', name: '20261125-150102-tcp_192.0.2.10_80', path: '/ws/.lvs/captures/20261125-150102-tcp_192.0.2.10_80' };
    assert.equal(captureSourceOf(element), element.path);
  });

  it('a file Uri gives its path; anything else asks (undefined)', function () {
    // The shape of a vscode.Uri (fsPath is a getter there).
    const uri = { scheme: 'file', authority: '', path: '/ws/cap', fsPath: '/ws/cap', query: '', fragment: '' };
    assert.equal(captureSourceOf(uri), '/ws/cap');
    assert.equal(captureSourceOf('/ws/cap'), '/ws/cap');
    for (const other of [undefined, null, '', 3, {}, { kind: 'service' }, { scheme: 'untitled', fsPath: 'Untitled-1' }, { kind: 'capture' }]) assert.equal(captureSourceOf(other), undefined, JSON.stringify(other));
  });
});
