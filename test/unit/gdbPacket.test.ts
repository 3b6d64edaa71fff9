// The gdb remote protocol's framing (debug-adapter/gdb/packet.ts): checksums, escapes, hex, and the
// stream reader on split, corrupt, oversized and noisy input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checksum, escapeBinary, frame, fromHex, hexToText, leHex, PacketReader, parseLeHex, textToHex, toHex, unescapeBinary,
} from '../../debug-adapter/gdb/packet';

test('frame: checksum is the byte sum modulo 256 of the escaped body', () => {
  assert.equal(frame('OK'), '$OK#9a');
  assert.equal(frame(''), '$#00');
  assert.equal(checksum('qSupported'), 0x37);
  // `$`, `#`, `}` and `*` in a payload are escaped and the checksum covers the escaped bytes.
  assert.equal(frame('a$b'), `$a}\x04b#${checksum('a}\x04b').toString(16).padStart(2, '0')}`);
});

test('escapeBinary / unescapeBinary round-trip every byte value', () => {
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
  const esc = escapeBinary(all);
  assert.ok(!/[$#*]/.test(esc.replace(/}./g, '')));
  assert.equal(unescapeBinary(esc), all);
  assert.equal(unescapeBinary('ab}'), null);
});

test('hex helpers', () => {
  assert.equal(toHex([0, 0x7c, 0xff]), '007cff');
  assert.deepEqual(fromHex('007CfF'), new Uint8Array([0, 0x7c, 0xff]));
  assert.equal(fromHex('abc'), null);
  assert.equal(fromHex('zz'), null);
  assert.equal(hexToText(textToHex('info gdt')), 'info gdt');
  assert.equal(leHex(0x7c00, 4), '007c0000');
  assert.equal(leHex(0x12345678, 10), '78563412000000000000');
  assert.equal(parseLeHex('007c0000'), 0x7c00);
  assert.equal(parseLeHex('xyz'), null);
});

test('PacketReader: packets split anywhere, acks, interrupts, noise between packets', () => {
  const wire = `+${frame('g')}--\x03junk${frame('m7c00,10')}`;
  for (let cut = 0; cut <= wire.length; cut++) {
    const r = new PacketReader(64);
    const events = [...r.push(wire.slice(0, cut)), ...r.push(wire.slice(cut))];
    assert.deepEqual(events, [
      { kind: 'ack' }, { kind: 'packet', payload: 'g' }, { kind: 'nack' }, { kind: 'nack' }, { kind: 'interrupt' },
      { kind: 'packet', payload: 'm7c00,10' },
    ], `cut at ${cut}`);
  }
});

test('PacketReader: a bad checksum, a non-hex checksum and a restarted packet', () => {
  const r = new PacketReader(64);
  assert.deepEqual(r.push('$g#00'), [{ kind: 'bad-checksum', payload: 'g' }]);
  assert.deepEqual(r.push('$g#zz'), [{ kind: 'bad-checksum', payload: 'g' }]);
  // A `$` inside a packet starts a new one: the truncated first packet is lost, the second one counts.
  assert.deepEqual(r.push(`$m7c0${frame('?')}`), [{ kind: 'packet', payload: '?' }]);
});

test('PacketReader: an oversized packet is dropped whole and the next one is read', () => {
  const r = new PacketReader(16);
  const big = 'X'.repeat(100_000);
  assert.deepEqual(r.push(`$${big}#00${frame('g')}`), [{ kind: 'overflow' }, { kind: 'packet', payload: 'g' }]);
  // In pieces too (no growth while skipping).
  assert.deepEqual(r.push('$' + 'Y'.repeat(20)), []);
  assert.deepEqual(r.push('Z'.repeat(20) + '#11'), [{ kind: 'overflow' }]);
  assert.deepEqual(r.push(frame('s')), [{ kind: 'packet', payload: 's' }]);
});
