// writeBack across time travel: the image file holds the history being looked at. Going back before
// a guest's INT 13h write puts the sector's original bytes back into the file; running forward again
// writes it again; a sector written only in a future that was left does not stay in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from '../../debug-adapter/launch';
import { Recorder } from '../../emulator/record/recorder';
import { assemble } from './harness';

const SECTOR = 512;

test('writeBack: the file follows time travel over the guest\'s disk writes', () => {
  const boot = assemble('diskwrite');
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-writeback-'));
  try {
    const path = join(dir, 'disk.img');
    const image = new Uint8Array(64 * SECTOR).fill(0xee);
    image.set(boot, 0);
    writeFileSync(path, image);
    const fileSector = (lba: number) => new Uint8Array(readFileSync(path)).subarray(lba * SECTOR, (lba + 1) * SECTOR);
    const original = (lba: number) => image.subarray(lba * SECTOR, (lba + 1) * SECTOR);

    const l = launch({ image: path, writeBack: true });
    try {
      const m = l.machine;
      const rec = new Recorder(m, { extraState: l.extraState }).attach();
      const start = m.cpu.icount;
      assert.equal(m.pcLinear, 0x7c00);
      rec.run({ maxInstructions: 200 });
      const end = m.cpu.icount;
      assert.deepEqual(fileSector(1), boot, 'LBA 1 written through');
      assert.deepEqual(fileSector(2), boot, 'LBA 2 written through');

      // Between the two writes (INT 13h at instructions 7 and 10): LBA 2 is back to its original bytes,
      // in the file and in the guest's view.
      rec.seek(start + 9);
      assert.deepEqual(fileSector(1), boot);
      assert.deepEqual(fileSector(2), original(2), 'LBA 2 was written only later');
      assert.deepEqual(m.hardDisks[0].sector(2), original(2));

      // Before both: the file is the image as it was.
      rec.seek(start);
      assert.deepEqual(new Uint8Array(readFileSync(path)), image);

      // Forward again: the same writes reach the file.
      rec.seek(end);
      assert.deepEqual(fileSector(1), boot);
      assert.deepEqual(fileSector(2), boot);
    } finally {
      l.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
