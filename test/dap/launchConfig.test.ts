// debug-adapter/launch.ts in process: defaults, every field's error, writeBack reaching the image
// file (and not without it), and package.json's launch attributes matching protocol/launchConfig.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drivesText, launch, LaunchError, validateConfig } from '../../debug-adapter/launch';
import { LAUNCH_DEFAULTS } from '../../protocol/launchConfig';
import { CS } from '../../emulator/cpu/regs';
import { makeIso } from '../disk/isoFixture';
import { driveSet } from '../boot/driveSet';

// breakOnEmulation and magicBreakpoint extend CLI.md's list (the CLI's --break-on-emulation and
// --magic-break as launch attributes).
test('defaults follow CLI.md', () => {
  const c = validateConfig({ image: 'x.img' });
  assert.deepEqual(c, {
    image: 'x.img', floppy: false, cdrom: false, stopOnEntry: true, listing: [], symbols: [], profile: 'raw', breakOnVmEntryFailure: false, breakOnEmulation: false,
    magicBreakpoint: false, record: true, writeBack: false, cpu: '80386', memoryMB: 64, fpu: 'none', gdbPort: null, compareWith: null, bios: null, vgaRom: null,
    hd: [], fd: [], boot: null,
  });
  // The FPU defaults to the model's: the 80486 and the Pentium have theirs built in.
  assert.equal(validateConfig({ image: 'x.img', cpu: '80486' }).fpu, 'integrated');
  assert.equal(validateConfig({ image: 'x.img', cpu: 'pentium' }).fpu, 'integrated');
  assert.equal(validateConfig({ image: 'x.img', cpu: '80486', fpu: 'none' }).fpu, 'none');
});

test('each bad field is named in its error', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{}, /'image' is missing/],
    [{ image: 5 }, /'image' must be a path string/],
    [{ image: 'a', cpu: '486' }, /unknown cpu '486'/],
    [{ image: 'a', memoryMB: 1.5 }, /'memoryMB' must be an integer/],
    [{ image: 'a', fpu: '8087' }, /unknown fpu "8087": use one of none, 387, integrated/],
    [{ image: 'a', cpu: '80286', fpu: '387' }, /the 80286 model takes fpu none, not 387/],
    [{ image: 'a', cpu: 'pentium', fpu: 'none' }, /the pentium model takes fpu integrated, not none/],
    [{ image: 'a', profile: 'hyperv' }, /unknown profile "hyperv"/],
    [{ image: 'a', floppy: 1 }, /'floppy' must be true or false/],
    [{ image: 'a', magicBreakpoint: 'yes' }, /'magicBreakpoint' must be true or false/],
    [{ image: 'a', listing: [1] }, /'listing' must be a path or a list of paths/],
    [{ image: 'a', symbols: {} }, /'symbols' must be a path or a list of paths/],
    [{ image: 'a', gdbPort: 70000 }, /'gdbPort' must be a port number from 0 to 65535/],
    [{ image: 'a', gdbPort: '1234' }, /'gdbPort' must be a port number/],
    [{ image: 'a', cdrom: 1 }, /'cdrom' must be true, false or the path of an ISO image, not 1/],
    [{ image: 'a', cdrom: '' }, /'cdrom' must be true, false or the path/],
    [{ image: 'a', cdrom: true, floppy: true }, /'floppy' and 'cdrom': true exclude each other/],
    [{ image: 'a', bios: '' }, /'bios' must be the path of a file, not ""/],
    [{ image: 'a', vgaRom: 'vga.bin' }, /'vgaRom' needs 'bios'/],
    [{ bios: 'b.bin', cdrom: true }, /'cdrom': true says how to boot 'image', which is missing/],
    [{ bios: 'b.bin', compareWith: { qemu: {} } }, /'compareWith' needs a drive \('image', 'hd', 'fd' or 'cdrom': a path\): QEMU boots the same drives/],
    [{ image: 'a', firmware: 'ovmf' }, /unknown firmware "ovmf": use one of builtin, seabios/],
    [{ image: 'a', firmware: 'builtin', bios: 'b.bin' }, /'firmware' builtin and 'bios' exclude each other/],
    [{ firmware: 'builtin' }, /'image' is missing/],
    [{ image: 'a', hd: 5 }, /'hd' must be a path or a list of paths/],
    [{ image: 'a', boot: ['hd', 'net'] }, /'boot': "net" is not a boot device: use fd, hd, cdrom/],
    [{ image: 'a', boot: 'cc' }, /'boot': hd is named twice/],
    [{ image: 'a', boot: 3 }, /'boot': must be a list of fd, hd, cdrom, fd1, fd2, hd1, hd2, hd3, hd4, not 3/],
    [{ image: 'a', floppy: true, fd: ['b', 'c'] }, /3 floppies: the floppy controller has drives A and B/],
    [{ image: 'a', hd: ['b', 'c', 'd'], cdrom: 'e.iso' }, /4 hard disks and a CD: the two IDE channels hold 4 drives/],
  ];
  for (const [cfg, re] of bad) assert.throws(() => validateConfig(cfg), (e: unknown) => e instanceof LaunchError && re.test(e.message), JSON.stringify(cfg));
});

test("firmware: seabios runs Debian's files unless bios/vgaRom name others; image is then optional", () => {
  assert.deepEqual([validateConfig({ firmware: 'seabios' })].map((c) => [c.image, c.bios, c.vgaRom])[0],
    [null, '/usr/share/seabios/bios-256k.bin', '/usr/share/seabios/vgabios-stdvga.bin']);
  const c = validateConfig({ image: 'a', firmware: 'seabios', bios: 'my.bin' });
  assert.deepEqual([c.bios, c.vgaRom], ['my.bin', '/usr/share/seabios/vgabios-stdvga.bin']);
  assert.deepEqual([validateConfig({ image: 'a', firmware: 'builtin' }).bios], [null]);
});

test('launch hd, fd, cdrom and boot: the machine the CLI builds, the boot order followed; one file as two drives is refused', () => {
  const d = driveSet();
  const l = launch({ image: d.a, hd: d.b, fd: [d.f, d.g], cdrom: d.c, boot: ['hd', 'fd'] });
  try {
    assert.equal(drivesText(l.machine), `${d.f} as floppy 00h, ${d.g} as floppy 01h, ${d.a} as hard disk 80h, ${d.b} as hard disk 81h, ${d.c} as CD E0h`);
    assert.equal(l.machine.bootChoice?.device, 'fd', 'hard disk 80h has no 55 AA: the floppy next');
    assert.deepEqual(l.machine.bootOrder.kinds, ['hd', 'fd', 'cdrom']);
    assert.match(l.bios!.log[0].message, /a\.img \(drive 80h\): not a bootable disk/);
  } finally {
    l.dispose();
  }
  assert.equal(launch({ hd: [d.b], cdrom: d.c }).machine.bootChoice?.device, 'cdrom', 'no image: the CD first by default');
  // One drive named alone: it boots as 80h; QEMU's side of compareWith gets the same drives and order.
  const two = launch({ image: d.b, hd: d.d, cdrom: d.c, boot: 'hd2', compareWith: { qemu: {} } });
  try {
    assert.equal(drivesText(two.machine), `${d.d} as hard disk 80h, ${d.b} as hard disk 81h, ${d.c} as CD E0h`);
    assert.deepEqual(two.reference?.boot.drives, { floppies: [], hardDisks: [d.b, d.d], cdrom: d.c });
    assert.deepEqual(two.reference?.boot.bootOrder.listed, [{ kind: 'hd', index: 1 }]);
  } finally {
    two.dispose();
  }
  assert.throws(() => launch({ image: d.b, boot: ['hd', 'hd2'] }), (e: unknown) => e instanceof LaunchError && e.message === "launch configuration: 'boot': hd2 names no drive: the machine has 1 hard disk");
  assert.throws(() => launch({ image: d.b, fd: d.b }), (e: unknown) => e instanceof LaunchError && /'fd' '.*b\.img' is the same file as 'image'/.test(e.message));
});

test('writeBack: guest disk writes reach the image file only when asked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-wb-'));
  try {
    const img = join(dir, 'disk.img');
    const data = Buffer.alloc(512 * 4);
    data[510] = 0x55;
    data[511] = 0xaa;
    for (const writeBack of [false, true]) {
      writeFileSync(img, data);
      const l = launch({ image: img, writeBack });
      const disk = l.machine.bootDrive!.disk;
      assert.equal(disk.write(2, 1, new Uint8Array(512).fill(0xab)).status, 0);
      l.dispose();
      assert.equal(readFileSync(img)[1024], writeBack ? 0xab : 0, `writeBack ${writeBack}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("package.json's launch attributes and defaults match protocol/launchConfig.ts", () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const props = pkg.contributes.debuggers[0].configurationAttributes.launch.properties as Record<string, { default?: unknown }>;
  const keys = ['image', 'floppy', 'cdrom', 'stopOnEntry', 'listing', 'symbols', 'profile', 'breakOnVmEntryFailure', 'breakOnEmulation', 'magicBreakpoint', 'record', 'writeBack', 'cpu', 'memoryMB', 'fpu', 'gdbPort', 'compareWith', 'bios', 'vgaRom', 'firmware', 'hd', 'fd', 'boot'];
  assert.deepEqual(Object.keys(props).sort(), [...keys].sort());
  for (const [k, v] of Object.entries(LAUNCH_DEFAULTS)) assert.equal(props[k].default, v, k);
});

test('cdrom: a plain ISO boots as the CD (DL=E0h); true forces it; a path attaches that ISO beside the disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-cd-'));
  try {
    const iso = join(dir, 'cd.iso');
    writeFileSync(iso, makeIso(new Uint8Array([0xfa, 0xf4]), { sectorCount: 1 }));
    const disk = join(dir, 'disk.img');
    writeFileSync(disk, Buffer.alloc(512 * 80));
    const at = (l: ReturnType<typeof launch>) => [l.machine.cpu.sel[CS], l.machine.cpu.eip, l.machine.cpu.r32[2] & 0xff, l.machine.mem.read8(0x7c00)];
    for (const cfg of [{ image: iso }, { image: iso, cdrom: true }, { image: disk, cdrom: 'cd.iso' }]) {
      const l = launch(cfg, dir);
      assert.deepEqual(at(l), [0, 0x7c00, 0xe0, 0xfa], JSON.stringify(cfg));
      assert.equal(l.machine.cdrom?.name, cfg.image === disk ? 'cd.iso' : iso);
      assert.equal(l.machine.hardDisks.length, cfg.image === disk ? 1 : 0);
      assert.equal(drivesText(l.machine), cfg.image === disk ? `${disk} as hard disk 80h, cd.iso as CD E0h` : `${iso} as CD E0h`);
      l.dispose();
    }
    // Not a CD: the catalogue's defect is the launch error.
    assert.throws(() => launch({ image: disk, cdrom: true }), (e: unknown) => e instanceof LaunchError && /not a bootable CD image: no ISO 9660 volume descriptor/.test(e.message));
    assert.throws(() => launch({ image: disk, cdrom: 'missing.iso' }, dir), (e: unknown) => e instanceof LaunchError && /CD image .*missing\.iso/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
