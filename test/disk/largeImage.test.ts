// A hard-disk image larger than one Node buffer holds (a sparse 3 GiB file): `bootscope run` opens it at once
// (host/imageFile.ts reads sectors on demand; the DAP launch uses the same), the guest reads a sector
// 2.38 GiB in through INT 13h extensions, and with writeBack the file gets the guest's write while the original
// bytes stay readable under the overlay for time travel. A 3 GiB plain ISO boots as a CD the same way, its guest
// reading a 2048-byte sector 2.29 GiB in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageFile } from '../../host/imageFile';
import { DiskImage } from '../../emulator/disk/diskImage';
import { makeIso } from './isoFixture';

const NO_NASM = spawnSync('nasm', ['-v']).status !== 0 && 'nasm not installed';
const FAR_LBA = 5_000_000; // 2.38 GiB in
const SIZE = 3 * 1024 ** 3;

// Reads LBA FAR_LBA with INT 13h AH=42h, prints its text to port E9, writes the sector back changed (AH=43h), halts.
const BOOT = `
        org 0x7c00
        bits 16
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        mov si, dap
        mov ah, 0x42
        int 0x13
        jc fail
        mov si, 0x8000
.out:   lodsb
        test al, al
        jz .w
        out 0xe9, al
        jmp .out
.w:     mov byte [0x8000], 'W'
        mov si, dap
        mov ax, 0x4300
        int 0x13
        jc fail
        hlt
fail:   mov al, '!'
        out 0xe9, al
        hlt
dap:    db 16, 0
        dw 1, 0x8000, 0
        dq ${FAR_LBA}
        times 510-($-$$) db 0
        dw 0xaa55
`;

function makeImage(dir: string): string {
  writeFileSync(join(dir, 'boot.asm'), BOOT);
  const r = spawnSync('nasm', ['-f', 'bin', '-o', join(dir, 'boot.bin'), join(dir, 'boot.asm')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const img = join(dir, 'big.img');
  const fd = openSync(img, 'w');
  try {
    ftruncateSync(fd, SIZE); // sparse: no disk space for the zeros
    const boot = readFileSync(join(dir, 'boot.bin'));
    writeSync(fd, boot, 0, boot.length, 0);
    const far = Buffer.alloc(512);
    far.write('far sector at 2.38 GiB\0');
    writeSync(fd, far, 0, 512, FAR_LBA * 512);
  } finally {
    closeSync(fd);
  }
  return img;
}

test('a 3 GiB image: bootscope run reads a sector 2.38 GiB in, and never writes the file', { skip: NO_NASM }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-big-'));
  try {
    const img = makeImage(dir);
    const r = spawnSync(process.execPath, ['dist/cli.js', 'run', img, '--max', '100000', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.debugText, 'far sector at 2.38 GiB');
    const b = Buffer.alloc(1);
    const fd = openSync(img, 'r');
    readSync(fd, b, 0, 1, FAR_LBA * 512);
    closeSync(fd);
    assert.equal(b.toString(), 'f', 'the guest wrote to the overlay only');
    assert.equal(statSync(img).size, SIZE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeBack on a large image: the file gets the write, the disk keeps reading what the guest sees, the original is kept', { skip: NO_NASM }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-big-'));
  try {
    const img = makeImage(dir);
    const file = openImageFile(img, { writeBack: true });
    try {
      assert.ok(!(file.source instanceof Uint8Array), 'read on demand, not into memory');
      const disk = new DiskImage(file.source, { name: 'big.img', writeBack: file.writeBack });
      assert.equal(disk.sectorCount, SIZE / 512);
      const sector = new Uint8Array(512);
      sector.set(Buffer.from('new'));
      assert.equal(disk.write(FAR_LBA, 1, sector).status, 0);
      const fd = openSync(img, 'r');
      const b = Buffer.alloc(3);
      readSync(fd, b, 0, 3, FAR_LBA * 512);
      closeSync(fd);
      assert.equal(b.toString(), 'new', 'written back to the file');
      assert.equal(Buffer.from(disk.sector(FAR_LBA).subarray(0, 3)).toString(), 'new', 'the overlay answers');
      // Underneath the overlay (what a restored snapshot without this write reads) the source still has the original.
      const under = new Uint8Array(512);
      file.source.read(FAR_LBA * 512, under, 0, 512);
      assert.equal(Buffer.from(under.subarray(0, 3)).toString(), 'far');
    } finally {
      file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const FAR_CD_LBA = 1_200_000; // 2.29 GiB in

test('a 3 GiB plain ISO: bootscope run boots it as a CD at once and the guest reads a 2048-byte sector 2.29 GiB in', { skip: NO_NASM }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bigcd-'));
  try {
    // DL is the CD (E0h) at entry; AH=42h reads one 2048-byte sector.
    writeFileSync(join(dir, 'boot.asm'), BOOT.replace(`dq ${FAR_LBA}`, `dq ${FAR_CD_LBA}`).replace(/\.w:[^]*?jc fail\n/, '.w:\n'));
    const r0 = spawnSync('nasm', ['-f', 'bin', '-o', join(dir, 'boot.bin'), join(dir, 'boot.asm')], { encoding: 'utf8' });
    assert.equal(r0.status, 0, r0.stderr);
    const iso = join(dir, 'big.iso');
    const fd = openSync(iso, 'w');
    try {
      ftruncateSync(fd, SIZE);
      const head = makeIso(readFileSync(join(dir, 'boot.bin')), { sectorCount: 1 });
      writeSync(fd, head, 0, head.length, 0);
      const far = Buffer.alloc(2048);
      far.write('far CD sector at 2.29 GiB\0');
      writeSync(fd, far, 0, far.length, FAR_CD_LBA * 2048);
    } finally {
      closeSync(fd);
    }
    const r = spawnSync(process.execPath, ['dist/cli.js', 'run', iso, '--max', '100000', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.debugText, 'far CD sector at 2.29 GiB');
    assert.deepEqual(out.biosLog, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
