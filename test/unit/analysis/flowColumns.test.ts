// FlowColumns: the per-flow state the flow table keeps while a pcap is read. The parts that
// are easy to get wrong: the head/tail record ring, forwarded-copy detection over the last
// RING signatures, and retransmission checks at the 32-bit sequence wrap.
import * as assert from 'node:assert/strict';
import * as F from '../../../src/core/analysis/flowColumns';
import { FlowColumns, MAX_HEAD, MAX_TAIL, RING } from '../../../src/core/analysis/flowColumns';
import { Flow } from '../../../src/core/analysis/flowTable';
import { PacketRecords } from '../../../src/core/analysis/packetRecords';

describe('analysis: flow columns', function () {
  it('keeps the first MAX_HEAD and the last MAX_TAIL records of a flow, in capture order', function () {
    const cols = new FlowColumns();
    const store = new PacketRecords();
    const other = cols.add(false, '198.51.100.1', 40001, -1);
    const id = cols.add(false, '198.51.100.2', 40002, 7);
    const total = MAX_HEAD + MAX_TAIL + 5;
    for (let n = 1; n <= total; n++) {
      // The slot first: reserving one may grow (replace) the store's columns.
      const i = cols.slot(id, store);
      store.n[i] = n;
      // Another flow's records in between: indices are per flow, not consecutive overall.
      const j = cols.slot(other, store);
      store.n[j] = 1000 + n;
    }
    const flow = new Flow(0, store, cols, id);
    const kept = flow.recordIndices().map((i) => store.n[i]);
    const head = Array.from({ length: MAX_HEAD }, (_, k) => k + 1);
    const tail = Array.from({ length: MAX_TAIL }, (_, k) => total - MAX_TAIL + 1 + k);
    assert.deepEqual(kept, [...head, ...tail]);
    assert.equal(flow.recordCount(), MAX_HEAD + MAX_TAIL);
    assert.deepEqual(Array.from({ length: flow.recordCount() }, (_, k) => store.n[flow.recordAt(k)]), kept);
    assert.equal(flow.skipped, 5);
    assert.equal(flow.gen, 7);
    assert.equal(flow.client, '198.51.100.2');
    assert.equal(new Flow(0, store, cols, other).recordIndices().length, MAX_HEAD + MAX_TAIL);
  });

  it('finds a forwarded copy among the last RING packets only, and never in a cooked capture\'s incoming packets', function () {
    const cols = new FlowColumns();
    const id = cols.add(true, '198.51.100.3', 53000, -1);
    assert.equal(cols.seen(id, 111, -1), false, 'first copy');
    assert.equal(cols.seen(id, 111, -1), true, 'second copy (Ethernet: no packet type)');
    assert.equal(cols.seen(id, 111, 4), true, 'second copy sent by this host (cooked, outgoing)');
    assert.equal(cols.seen(id, 111, 0), false, 'cooked, addressed to this host: a new packet, not a copy');
    for (let k = 0; k < RING; k++) cols.seen(id, 500 + k, -1);
    assert.equal(cols.seen(id, 111, -1), false, 'pushed out of the ring by RING newer packets');
  });

  it('counts a data segment sent again as a retransmission, across the sequence wrap', function () {
    const cols = new FlowColumns();
    const id = cols.add(false, '198.51.100.4', 40004, -1);
    const ACK = 16;
    const SYN = 2;
    assert.equal(cols.retrans(id, false, SYN, 0xfffffff0, 0), false, 'first SYN');
    cols.count1(id, F.SYNS);
    assert.equal(cols.retrans(id, false, SYN, 0xfffffff0, 0), true, 'SYN again');
    assert.equal(cols.retrans(id, false, ACK, 0xfffffff1, 100), false);
    assert.equal(cols.retrans(id, false, ACK, 0xfffffff1, 100), true, 'same segment again');
    assert.equal(cols.retrans(id, false, ACK, (0xfffffff1 + 100) >>> 0, 100), false, 'next segment, its sequence number wrapped past 2^32');
    assert.equal(cols.retrans(id, true, ACK, 5000, 10), false, 'the server side has its own range');
    assert.equal(cols.retrans(id, false, -1, 1, 10), false, 'UDP: never');
  });
});
