// Differential check of the disk geometry against QEMU + SeaBIOS (skipped without qemu-system-i386
// and nasm): a probe boot sector prints what the BIOS returns for INT 13h AH=08h and AH=48h on
// disks built like test/boot/images.ts's, and DiskImage must return the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync, copyFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DiskImage } from '../../emulator/disk/diskImage';
import { hardDiskGeometry, int13DriveParameters, eddDriveParameters } from '../../emulator/disk/geometry';
import { BOOT_IMAGE_DIR, syslinuxImage } from './bootImages';

const have = (t: string) => spawnSync('bash', ['-c', `command -v ${t}`]).status === 0;
const OK = have('qemu-system-i386') && have('nasm');
const DIR = join(BOOT_IMAGE_DIR, 'probe');

function probe(): Uint8Array {
  mkdirSync(DIR, { recursive: true });
  const out = join(DIR, 'geometryProbe.bin');
  const r = spawnSync('nasm', ['-f', 'bin', '-o', out, 'test/disk/fixtures/geometryProbe.asm'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return new Uint8Array(readFileSync(out));
}

/** Boots `img` in QEMU and returns the probe's words. */
function runQemu(img: string): number[] {
  const log = `${img}.serial`;
  rmSync(log, { force: true });
  spawnSync('qemu-system-i386', [
    '-nodefaults', '-display', 'none', '-m', '64', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01',
    '-drive', `file=${img},format=raw,if=ide,snapshot=on`, '-serial', `file:${log}`,
  ], { timeout: 20000 });
  const text = existsSync(log) ? readFileSync(log, 'latin1').trim() : '';
  assert.match(text, /^([0-9A-F]{4} ?)+$/, `probe output: ${JSON.stringify(text)}`);
  return text.split(/\s+/).filter(Boolean).map((w) => parseInt(w, 16));
}

/** Writes the probe into an image's first 440 bytes (keeping any partition table) and the signature. */
function install(img: string, code: Uint8Array): void {
  const fd = openSync(img, 'r+');
  writeSync(fd, code, 0, Math.min(code.length, 440), 0);
  writeSync(fd, new Uint8Array([0x55, 0xaa]), 0, 2, 510);
  closeSync(fd);
}

function sparse(name: string, bytes: number): string {
  const p = join(DIR, name);
  rmSync(p, { force: true });
  spawnSync('truncate', ['-s', String(bytes), p]);
  return p;
}

function compare(img: string, sectors: number, sector0: Uint8Array | null): void {
  const w = runQemu(img);
  const g = hardDiskGeometry(sectors, sector0);
  const p = int13DriveParameters(g.logical, true);
  const e = eddDriveParameters(g.physical, sectors);
  assert.equal(w[0] & 0xff00, 0, 'AH=08h succeeded');
  assert.equal(p.cx.toString(16), w[2].toString(16), 'CX');
  assert.equal(p.dh.toString(16), (w[3] >> 8).toString(16), 'DH');
  const edd = w.slice(5);
  assert.deepEqual(
    [e.info, e.cylinders, e.heads, e.sectors, e.totalSectors],
    [edd[1], edd[2] | (edd[3] << 16), edd[4] | (edd[5] << 16), edd[6] | (edd[7] << 16), edd[8] + edd[9] * 0x10000],
    'EDD AH=48h',
  );
}

test('QEMU agrees on the syslinux image geometry', { skip: !OK && 'qemu-system-i386 or nasm not installed' }, (t) => {
  const src = syslinuxImage();
  if (!src) return t.skip('syslinux tools not installed');
  const code = probe();
  const img = join(DIR, 'syslinux-probe.img');
  copyFileSync(src, img);
  install(img, code);
  const data = new Uint8Array(readFileSync(img));
  compare(img, data.length / 512, data.subarray(0, 512));
  assert.equal(new DiskImage(data).int13Parameters().cx, 0x3f3f);
});

for (const [name, bytes] of [['3M', 3 << 20], ['100M', 100 << 20], ['1G', 1 << 30], ['8G', 8 * 2 ** 30]] as const) {
  test(`QEMU agrees on an unpartitioned ${name} disk`, { skip: !OK && 'qemu-system-i386 or nasm not installed' }, () => {
    const code = probe();
    const img = sparse(`blank-${name}.img`, bytes);
    install(img, code);
    const s0 = new Uint8Array(512);
    s0.set(code.subarray(0, 440));
    s0[510] = 0x55;
    s0[511] = 0xaa;
    compare(img, bytes / 512, s0);
  });
}
