// Only VRRP advertisements (type 1) are adverts: receivers discard any other type, so a
// director sending them is not taken for a master that advertises.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readManifest } from '../../../src/core/capture/manifest';
import { ServiceMap } from '../../../src/core/analysis/endpoints';
import { PointTable } from '../../../src/core/analysis/flowTable';
import { decodeFrame } from '../../../src/core/decode/index';
import { repoRoot } from '../../helpers/env';
import { ether, ipv4, vrrp } from '../../helpers/frames';

function advert(type: number, vrid: number): Uint8Array {
  const body = vrrp({ version: 2, vrid, priority: 150, addresses: ['192.0.2.100'], authType: 0 });
  body[0] = (2 << 4) | type;
  return ether({ src: '02:00:c0:00:02:02', dst: '01:00:5e:00:00:12' }, ipv4({ src: '192.0.2.2', dst: '224.0.0.18', proto: 112, ttl: 255, id: 1 }, body));
}

describe('analysis: VRRP message types', function () {
  it('counts advertisements and ignores other types', function () {
    const table = new PointTable(0, new ServiceMap(readManifest(path.join(repoRoot, 'samples', 'dr-healthy'))), false);
    const frames = [advert(1, 51), advert(2, 52), advert(15, 53), advert(1, 51)];
    frames.forEach((data, k) => table.consume(decodeFrame({ n: k + 1, ts: 1795600000 + k, caplen: data.length, wirelen: data.length, linkType: 1, ifIndex: 0, data, offset: 0 })));
    assert.deepEqual([...table.vrrp.values()].map((s) => [s.vrid, s.count]), [[51, 2]]);
  });
});
