// History queries over writes a BIOS service makes (INT 13h loading a sector): the service runs as an
// uncounted trap after the INT instruction, so its writes belong to the INT. On the syslinux image the
// MBR loads the VBR over itself at 0000:7C00: `last write` and reverse data scans must find that INT 13h.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../../debug-adapter/launch';
import { readLinear } from '../../emulator/debug/machineView';
import { Recorder } from '../../emulator/record/recorder';
import { missingTools, syslinuxImage } from '../boot/images';

test('last write and reverse data scans find the INT 13h that loaded the VBR', { skip: missingTools('syslinux') ?? false }, () => {
  const l = launch({ image: syslinuxImage() });
  const m = l.machine;
  const rec = new Recorder(m, { extraState: l.extraState }).attach();
  const mbr = readLinear(m.cpu, 0x7c00, 2).bytes.slice();
  // Run until the VBR is entered at 0000:7C00 (the MBR ran from its copy at 0000:0600).
  rec.run({ maxInstructions: 1 });
  rec.run({ maxInstructions: 1_000_000, until: [{ kind: 'segoff', segment: 0, offset: 0x7c00 }] });
  const here = m.cpu.icount;
  assert.ok(here > 0);
  assert.notDeepEqual(readLinear(m.cpu, 0x7c00, 2).bytes, mbr, 'the VBR replaced the MBR at 7C00');
  const isInt13 = () => {
    const b = readLinear(m.cpu, m.pcLinear, 2).bytes;
    return b[0] === 0xcd && b[1] === 0x13;
  };

  const w = rec.lastWrite(0x7c00, 2);
  assert.ok(w, 'a write found');
  rec.seek(w.instruction);
  assert.ok(isInt13(), `instruction ${w.instruction} is INT 13h`);
  assert.deepEqual(readLinear(m.cpu, 0x7c00, 2).bytes, mbr, 'before it, 7C00 holds the MBR');

  rec.seek(here);
  const before = rec.reverseContinue({ data: [{ address: 0x7c00, length: 2, access: 'write' }], dataBefore: true });
  assert.equal(before.reason, 'data');
  assert.equal(before.icount, w.instruction);
  assert.ok(isInt13());
  assert.deepEqual(before.watch, { address: 0x7c00, length: 2, access: 'write' });

  rec.seek(here);
  const after = rec.reverseContinue({ data: [{ address: 0x7c00, length: 2, access: 'write' }] });
  assert.equal(after.reason, 'data');
  assert.equal(after.icount, w.after);
});
