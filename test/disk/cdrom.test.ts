// The CD drive: the El Torito catalogue parser on a small ISO 9660 image built here (a bad
// catalogue gives one clear sentence), and a no-emulation boot through the built-in BIOS whose boot
// image (NASM) asks INT 13h about its drive: DL, the AX=4B01h specification packet, EDD check,
// parameters and 2048-byte reads, and the calls a CD cannot do failing with CF=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bios } from '../../emulator/bios/bios';
import { CdImage, CdImageError } from '../../emulator/disk/cdrom';
import { DiskImage } from '../../emulator/disk/diskImage';
import { EDX } from '../../emulator/cpu/regs';
import { Machine } from '../../emulator/machine';
import { assemble } from '../bios/harness';
import { BOOT, CATALOG, DATA, makeIso, SECTORS } from './isoFixture';

const HALT = '\n  cli\n  hlt\n';

test('El Torito catalogue: the initial entry of a valid image, defaults included', () => {
  const e = new CdImage(makeIso(new Uint8Array(16), { sectorCount: 4 })).bootEntry();
  assert.deepEqual(e, { platform: 0, media: 0, loadSegment: 0x07c0, sectorCount: 4, loadRba: BOOT, catalogRba: CATALOG });
  assert.equal(new CdImage(makeIso(new Uint8Array(16), { loadSegment: 0x2000 })).bootEntry().loadSegment, 0x2000);
  assert.equal(new CdImage(makeIso(new Uint8Array(16))).hasBootRecord(), true);
  assert.equal(new CdImage(new Uint8Array(40 * 2048)).hasBootRecord(), false);
  // Detection without --cdrom: a plain ISO; a hybrid (an MBR with 55 AA in its first sector) is a disk.
  const plain = makeIso(new Uint8Array(16));
  assert.equal(new CdImage(plain).isPlainBootCd(), true);
  plain.set([0x55, 0xaa], 510);
  assert.equal(new CdImage(plain).isPlainBootCd(), false);
  assert.equal(new CdImage(plain).hasBootRecord(), true);
});

test('El Torito catalogue: each defect is one sentence naming it', () => {
  const bad: [string, Uint8Array, RegExp][] = [
    ['too small', new Uint8Array(4096), /too small for an ISO 9660 image/],
    ['no CD001', new Uint8Array(SECTORS * 2048), /no ISO 9660 volume descriptor \(CD001\) at sector 16/],
    ['checksum', makeIso(new Uint8Array(16), { patch: (c) => { c[0x1c] ^= 1; } }), /validation entry .* bad checksum/],
    ['key', makeIso(new Uint8Array(16), { patch: (c) => { c[0x1f] = 0; } }), /lacks the key bytes 55 AA/],
    ['header', makeIso(new Uint8Array(16), { patch: (c) => { c[0] = 2; } }), /header ID 02h, not 01h/],
    ['not bootable', makeIso(new Uint8Array(16), { patch: (c) => { c[32] = 0; } }), /not bootable \(boot indicator 00h, not 88h\)/],
    ['load RBA', makeIso(new Uint8Array(16), { patch: (c) => { c[40] = 200; } }), /boot image's sector 200 is past the end/],
  ];
  const noBr = makeIso(new Uint8Array(16));
  noBr[17 * 2048 + 7] = 0x58;
  bad.push(['boot record', noBr, /sector 17 is not an El Torito boot record/]);
  for (const [what, iso, re] of bad) {
    assert.throws(() => new CdImage(iso, { name: 'x.iso' }).bootEntry(), (e: Error) => {
      assert.ok(e instanceof CdImageError, what);
      assert.match(e.message, /^x\.iso: not a bootable CD image: /, what);
      assert.match(e.message, re, what);
      assert.ok(!e.message.includes('\n'), what);
      return true;
    });
  }
});

function bootCd(iso: Uint8Array, max = 2_000_000) {
  const m = new Machine({ cdrom: new CdImage(iso, { name: 'test.iso' }) });
  const bios = new Bios();
  bios.install(m);
  const booted = bios.boot();
  const stop = booted ? m.run({ maxInstructions: max }) : null;
  return { m, bios, booted, stop, out: m.devices.output().debugText };
}

test('no-emulation boot: 4 virtual sectors at 0000:7C00, DL=E0h, INT 13h on 2048-byte sectors', () => {
  const boot = assemble(`
  mov ax, cs
  call puthex16
  mov al, dl
  call puthex8
  PUTC ' '
  mov al, [0x7c00 + 2047]   ; the last byte of the 4th virtual sector (AA of the padding) was loaded
  call puthex8
  PUTC ' '
  mov ax, 0x4b01            ; specification packet
  mov si, 0x600
  int 0x13
  jc .bad
  mov al, [0x600]
  call puthex8
  mov al, [0x601]
  call puthex8
  mov al, [0x602]
  call puthex8
  mov eax, [0x604]
  call puthex32
  mov ax, [0x60c]
  call puthex16
  mov ax, [0x60e]
  call puthex16
  PUTC ' '
  mov ah, 0x41
  mov bx, 0x55aa
  mov dl, 0xe0
  int 0x13
  jc .bad
  mov ax, bx
  call puthex16
  PUTC ' '
  mov word [0x700], 0x1e
  mov ah, 0x48
  mov si, 0x700
  int 0x13
  jc .bad
  mov ax, [0x718]
  call puthex16
  mov eax, [0x710]
  call puthex32
  PUTC ' '
  mov si, dap
  mov ah, 0x42
  int 0x13
  jc .bad
  mov si, 0x1000
  mov cx, 8
.p1:
  lodsb
  out 0xe9, al
  loop .p1
  mov si, 0x1800
  mov cx, 8
.p2:
  lodsb
  out 0xe9, al
  loop .p2
  PUTC ' '
  mov ah, 0x08              ; CHS parameters: no geometry on a CD
  mov dl, 0xe0
  int 0x13
  mov al, ah
  call puthex8
  setc al
  call puthex8
  PUTC ' '
  mov si, dap
  mov ah, 0x43              ; write: the CD is read-only
  int 0x13
  mov al, ah
  call puthex8
  setc al
  call puthex8
  PUTC ' '
  mov word [dap + 2], 1
  mov dword [dap + 8], ${SECTORS}
  mov si, dap
  mov ah, 0x42              ; past the end
  int 0x13
  mov al, ah
  call puthex8
  setc al
  call puthex8
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}
dap: db 0x10, 0
  dw 2, 0x1000, 0
  dd ${DATA}, 0
`, { size: 2048 });
  assert.equal(boot.length, 2048);
  const r = bootCd(makeIso(boot));
  assert.equal(r.booted, true);
  assert.equal(r.stop?.reason, 'halt', r.out);
  assert.equal(r.out, `0000E0 AA 1300E0${BOOT.toString(16).toUpperCase().padStart(8, '0')}07C00004 AA55 080000000016 SECTOR20SECTOR21 0101 0301 0401`);
});

test('no-emulation boot at another load segment enters at its canonical address', () => {
  const boot = assemble(`
  call .here
.here:
  pop ax
  call puthex16
  mov ax, cs
  call puthex16
  ${HALT}
`, { raw: true });
  const r = bootCd(makeIso(boot, { loadSegment: 0x1234, sectorCount: 1 }));
  assert.equal(r.stop?.reason, 'halt', r.out);
  // 1234h:0000 canonical is 1000h:2340h.
  assert.equal(r.out, '23431000');
});

test('a CD the built-in BIOS cannot boot says why instead of running', () => {
  for (const [o, re] of [
    [{ sectorCount: 0 }, /loads 0 sectors/],
    [{ loadSegment: 0x9000, sectorCount: 200 }, /does not fit below 9FC00h/],
  ] as const) {
    const r = bootCd(makeIso(new Uint8Array(16), o));
    assert.equal(r.booted, false);
    assert.match(r.bios.log.at(-1)!.message, /^test\.iso: cannot boot the CD: /);
    assert.match(r.bios.log.at(-1)!.message, re);
  }
  // Floppy emulation beside a floppy image: the emulated floppy is 00h and the image moves to 01h, as
  // under SeaBIOS (test/boot/bootOrder.test.ts compares it with QEMU).
  const a = new DiskImage(new Uint8Array(1474560), { kind: 'floppy', name: 'a.img' });
  const m = new Machine({ cdrom: new CdImage(makeIso(new Uint8Array(512), { media: 2 }), { name: 'f.iso' }), floppy: a });
  const bios = new Bios();
  bios.install(m);
  assert.equal(bios.boot(), true);
  assert.equal(m.cpu.r32[EDX], 0x00, 'the emulated floppy booted');
  assert.deepEqual(m.floppies.map((f) => f.name), ['f.iso (El Torito 1.44M floppy emulation)', 'a.img']);
  // Hard-disk emulation of an image cut off 100 bytes into its boot image.
  const cut = bootCd(makeIso(new Uint8Array(16), { media: 4 }).subarray(0, BOOT * 2048 + 100));
  assert.equal(cut.booted, false);
  assert.match(cut.bios.log.at(-1)!.message, /asks for hard disk emulation, but the image ends before its first 512 bytes$/);
  const bad = bootCd(makeIso(new Uint8Array(16), { patch: (c) => { c[0x1e] = 0; } }));
  assert.equal(bad.booted, false);
  assert.match(bad.bios.log.at(-1)!.message, /lacks the key bytes 55 AA/);
});

/** A boot sector that prints DL, its drive's AX=4B01h packet, and the first 8 bytes of its LBA 1 (CHS read). */
const EMULATED_PROBE = `
  mov [drive], dl
  mov al, dl
  call puthex8
  PUTC ' '
  mov ax, 0x4b01
  mov dl, [drive]
  mov si, 0x600
  int 0x13
  jc .bad
  mov si, 0x600
  mov cx, 0x13
.pk:
  lodsb
  call puthex8
  loop .pk
  PUTC ' '
  mov ax, 0x0201
  mov cx, 0x0002           ; C0 H0 S2 = LBA 1
  mov dh, 0
  mov dl, [drive]
  mov bx, 0x1000
  int 0x13
  jc .bad
  mov si, 0x1000
  mov cx, 8
.p:
  lodsb
  out 0xe9, al
  loop .p
  PUTC ' '
  mov ax, 0x4b01           ; the no-emulation drive is not there
  mov dl, 0xe0
  mov si, 0x600
  int 0x13
  mov al, ah
  call puthex8
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}
drive: db 0
`;

function emulatedImage(bytes: number, mbr: boolean): Uint8Array {
  const img = new Uint8Array(bytes);
  img.set(assemble(EMULATED_PROBE));
  if (mbr) img.set([0x80, 1, 1, 0, 0x06, 15, 63, 19, 63, 0, 0, 0, 0x41, 0x4e, 0, 0], 0x1be); // 1 partition, 16 heads × 63 sectors
  img.set([...'EMULATED'].map((c) => c.charCodeAt(0)), 512);
  return img;
}

test('floppy emulation: the image at the load RBA is drive 00h (1.44M), booted with DL=00h; 4B01h reports it', () => {
  const r = bootCd(makeIso(emulatedImage(1474560, false), { media: 2, sectorCount: 1 }));
  assert.equal(r.stop?.reason, 'halt', r.out);
  // The packet byte by byte: size 13h, media 02 (1.44M), drive 00, controller 00, the image's RBA
  // (dword), device specification, cache buffer, load segment 07C0h, 1 sector (words, little
  // endian), and AH=08h's CH=4Fh CL=12h DH=01h; then the floppy's LBA 1 by CHS; E0h is no drive.
  const packet = '13' + '02' + '00' + '00' + '13000000' + '0000' + '0000' + 'C007' + '0100' + '4F1201';
  assert.equal(r.out, `00 ${packet} EMULATED 01`);
  assert.equal(r.m.floppy?.kind, 'floppy');
  assert.equal(r.m.floppy?.sectorCount, 2880);
  assert.equal(r.m.floppy?.readOnly, true);
});

test('hard-disk emulation: the image at the load RBA is drive 80h with its MBR geometry, DL=80h', () => {
  const r = bootCd(makeIso(emulatedImage(20 * 16 * 63 * 512, true), { media: 4, sectorCount: 1 }));
  assert.equal(r.stop?.reason, 'halt', r.out);
  // Media 04, drive 80h; 20 cylinders × 16 heads × 63 sectors as AH=08h gives them (the last
  // cylinder kept for diagnostics, as for any hard disk): CH=12h CL=3Fh DH=0Fh.
  const packet = '13' + '04' + '80' + '00' + '13000000' + '0000' + '0000' + 'C007' + '0100' + '123F0F';
  assert.equal(r.out, `80 ${packet} EMULATED 01`);
  assert.equal(r.m.hardDisks.length, 1);
  assert.deepEqual(r.m.hardDisks[0].geometry, { cylinders: 20, heads: 16, sectors: 63 });
});

test('INT 19h boots the CD again: the boot image reloaded at its entry, DL=E0h, the count kept', () => {
  const boot = assemble(`
  cmp byte [0x5000], 0
  jne .second
  mov byte [0x5000], 1
  mov byte [0x7c00], 0xcc   ; overwritten code: the reboot must load the image again
  PUTC 'A'
  int 0x19
.second:
  PUTC 'B'
  mov al, dl
  call puthex8
  ${HALT}
`);
  const r = bootCd(makeIso(boot, { sectorCount: 1 }));
  assert.equal(r.stop?.reason, 'halt', r.out);
  assert.equal(r.out, 'ABE0');
  assert.match(r.bios.log.at(-1)!.message, /^INT 19h: booting the CD \(test\.iso\) again$/);
  assert.ok(r.m.cpu.icount > 10, `count ${r.m.cpu.icount}`);
});
