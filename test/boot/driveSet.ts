// A set of drives for the boot-order tests: hard disks, floppies and a CD whose boot sectors are one
// program with a different tag letter at byte 1F0h. Booted, it prints on port E9h, between brackets,
// its own tag, DL, the BIOS data area's hard disk count (0475h), the floppy count of the equipment word
// (INT 11h) and, for drives 80h, 81h, 00h and 01h, the tag of sector 0 read through INT 13h AH=02h ('-'
// when the call fails), e.g. "[C E0 02 01 80:A 81:B 00:F 01:-]"; then it leaves QEMU through
// isa-debug-exit (port F4h; nothing there in Bootscope) and halts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../bios/harness';
import { makeIso } from '../disk/isoFixture';

const TAG = 0x1f0;

function program(tag: string, signed: boolean): Uint8Array {
  const code = assemble(`
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov [drv], dl
  PUTC '['
  mov al, [0x7c00 + ${TAG}]
  out 0xe9, al
  mov al, [drv]
  call hex
  mov al, [0x475]
  call hex
  int 0x11
  xor bl, bl
  test al, 1
  jz .count
  mov bl, al
  shr bl, 6
  inc bl
.count:
  mov al, bl
  call hex
  mov si, drives
.next:
  lodsb
  cmp al, 0xff
  je .done
  mov dl, al
  call hex
  PUTC ':'
  push si
  mov ax, 0x0201
  mov cx, 0x0001
  xor dh, dh
  mov bx, 0x8000
  int 0x13
  pop si
  mov al, '-'
  jc .put
  mov al, [0x8000 + ${TAG}]
.put:
  out 0xe9, al
  jmp .next
.done:
  PUTC ']'
  out 0xf4, al
  cli
  hlt
hex:
  PUTC ' '
  jmp puthex8
drv: db 0
drives: db 0x80, 0x81, 0x00, 0x01, 0xff`);
  if (code[TAG] !== 0) throw new Error('the program runs into its tag byte');
  code[TAG] = tag.charCodeAt(0);
  if (!signed) code.fill(0, 510, 512);
  return code;
}

export interface DriveSet {
  dir: string;
  /** A 1 MiB hard disk whose sector 0 lacks 55 AA: not bootable. */
  a: string;
  /** 1 MiB hard disks, bootable. */
  b: string;
  d: string;
  /** 1.44 MB floppies, bootable. */
  f: string;
  g: string;
  /** A plain El Torito ISO (no emulation). */
  c: string;
  /** An El Torito ISO in 1.44M floppy emulation. */
  e: string;
  /** An El Torito ISO in hard disk emulation (a 1 MiB disk whose partition gives 16 heads, 63 sectors). */
  h: string;
}

export function driveSet(): DriveSet {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-drives-'));
  const image = (name: string, size: number, tag: string, signed = true) => {
    const img = new Uint8Array(size);
    img.set(program(tag, signed));
    writeFileSync(join(dir, name), img);
    return join(dir, name);
  };
  const c = join(dir, 'c.iso');
  writeFileSync(c, makeIso(program('C', true)));
  const floppy = new Uint8Array(1474560);
  floppy.set(program('E', true));
  const e = join(dir, 'e.iso');
  writeFileSync(e, makeIso(floppy, { media: 2, sectorCount: 1 }));
  // Hard disk emulation takes the geometry from the MBR's first partition (its end CHS): 2/16/63.
  const disk = new Uint8Array(2 * 16 * 63 * 512);
  disk.set(program('H', true));
  disk.set([0x80, 1, 1, 0, 0x06, 15, 63, 1, 63, 0, 0, 0, (2 * 16 * 63 - 63) & 0xff, (2 * 16 * 63 - 63) >> 8, 0, 0], 0x1be);
  const h = join(dir, 'h.iso');
  writeFileSync(h, makeIso(disk, { media: 4, sectorCount: 1 }));
  return {
    dir, c, e, h,
    a: image('a.img', 1 << 20, 'A', false), b: image('b.img', 1 << 20, 'B'), d: image('d.img', 1 << 20, 'D'),
    f: image('f.img', 1474560, 'F'), g: image('g.img', 1474560, 'G'),
  };
}

/** What the booted program printed: "[C E0 02 01 80:A 81:B 00:F 01:-]", or null. */
export function report(debugText: string): string | null {
  return /\[[A-Z] [0-9A-F]{2} [^\]]*\]/.exec(debugText)?.[0] ?? null;
}

/** Drives for a boot-order test and `bootscope run --boot`'s order. */
export interface DriveScenario {
  hd: string[];
  fd: string[];
  cdrom?: string;
  boot: string;
}

/** `bootscope run`'s options for the scenario's drives and order. */
export const bootscopeDrives = (s: DriveScenario) => [...s.hd.flatMap((f) => ['--hd', f]), ...s.fd.flatMap((f) => ['--fd', f]), ...(s.cdrom ? ['--cdrom', s.cdrom] : []), '--boot', s.boot];

/** What the program printed under QEMU 7.2 with the drive options `drives` (its log in `dir`), or null. */
export function underQemu(drives: string[], dir: string): string | null {
  const log = join(dir, `qemu-${Math.random().toString(36).slice(2)}.log`);
  spawnSync('qemu-system-i386', ['-nodefaults', '-display', 'none', '-m', '64', ...drives,
    '-debugcon', `file:${log}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'], { timeout: 60_000 });
  return report(readFileSync(log, 'latin1'));
}

/** What the program printed under `bootscope run` with the drive options `drives` and `firmware`'s, or null. */
export function underBootscope(drives: string[], firmware: string[]): string | null {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', ...drives, ...firmware, '--max', '60000000', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return report(JSON.parse(r.stdout).debugText);
}
