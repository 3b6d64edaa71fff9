// F5 without launch.json and launch-configuration validation (extension/launchValidation.ts): which files boot,
// floppy detection, .asm → .bin/.lst, and one clear message per invalid attribute. Pure, no 'vscode'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configForFile, fileKind, looksLikeFloppy, siblingWithExtension, validateConfig } from '../../extension/launchValidation';

test('file kinds', () => {
  assert.equal(fileKind('/w/boot.img'), 'image');
  assert.equal(fileKind('/w/boot.BIN'), 'image');
  assert.equal(fileKind('/w/dos.ima'), 'image');
  assert.equal(fileKind('/w/live.ISO'), 'image');
  assert.equal(fileKind('/w/boot.asm'), 'asm');
  assert.equal(fileKind('/w/readme.md'), 'other');
  assert.equal(fileKind('/w.d/noext'), 'other');
});

test('floppies by extension or by size', () => {
  assert.ok(looksLikeFloppy('/w/a.ima', undefined));
  assert.ok(looksLikeFloppy('/w/a.img', 1474560));
  assert.ok(!looksLikeFloppy('/w/a.img', 512));
  assert.equal(configForFile('/w/a.img', 1474560)?.floppy, true);
  assert.equal(configForFile('/w/boot.bin', 512)?.floppy, undefined);
  // An ISO of a floppy's size is still left to the adapter's CD detection.
  assert.equal(configForFile('/w/cd.iso', 1474560)?.floppy, undefined);
});

test('F5 configuration for an image', () => {
  assert.deepEqual(configForFile('/w/boot.img', 512), { type: 'bootscope', request: 'launch', name: 'Bootscope: boot boot.img', image: '/w/boot.img', stopOnEntry: true });
  assert.equal(configForFile('/w/notes.txt'), undefined);
  assert.equal(siblingWithExtension('/w/boot.asm', '.lst'), '/w/boot.lst');
});

test('valid configuration has no errors', () => {
  assert.deepEqual(validateConfig({ type: 'bootscope', request: 'launch', name: 'x', image: '/w/a.img', cpu: '80286', memoryMB: 16, profile: 'kvm-rmode', listing: ['/w/a.lst'] }, () => true), []);
});

test('missing image, unknown cpu, memoryMB not a positive integer, unknown profile', () => {
  const base = { type: 'bootscope', request: 'launch', name: 'x' };
  assert.match(validateConfig(base).join(' '), /"image" is missing/);
  assert.match(validateConfig({ ...base, image: '/nope.img' }, () => false).join(' '), /\/nope\.img, which does not exist/);
  assert.match(validateConfig({ ...base, image: '/a.img', cpu: '68000' }).join(' '), /"cpu" is "68000": it must be one of 8086, 80286, 80386/);
  for (const m of [0, -4, 1.5, '64'] as unknown[]) {
    assert.match(validateConfig({ ...base, image: '/a.img', memoryMB: m as number }).join(' '), /"memoryMB" .* must be a positive integer/);
  }
  assert.match(validateConfig({ ...base, image: '/a.img', profile: 'hyperv' }).join(' '), /"profile" is "hyperv"/);
  assert.match(validateConfig({ ...base, image: '/a.img', fpu: '8087' }).join(' '), /"fpu" is "8087": it must be one of none, 387, integrated/);
  assert.match(validateConfig({ ...base, image: '/a.img', cpu: 'pentium', fpu: 'none' }).join(' '), /"fpu": the pentium model takes fpu integrated, not none/);
  assert.match(validateConfig({ ...base, image: '/a.img', fpu: 'integrated' }).join(' '), /"fpu": the 80386 model takes fpu none or 387/);
  assert.deepEqual(validateConfig({ ...base, image: '/a.img', cpu: '80486', fpu: 'none' }), []);
  assert.equal(validateConfig({ ...base, cpu: 'z80', memoryMB: 0 }).length, 3, 'every problem is listed, not just the first');
});

test('cdrom: true, false or a path; not true with floppy', () => {
  const base = { type: 'bootscope', request: 'launch', name: 'x', image: '/a.img' };
  assert.deepEqual(validateConfig({ ...base, cdrom: true }), []);
  assert.deepEqual(validateConfig({ ...base, cdrom: '/w/cd.iso', floppy: true }), []);
  for (const c of [1, '', '  ', null]) assert.match(validateConfig({ ...base, cdrom: c as never }).join(' '), /"cdrom" must be true, false or the path of an ISO image/);
  assert.match(validateConfig({ ...base, cdrom: true, floppy: true }).join(' '), /"floppy" and "cdrom": true exclude each other/);
});

test('bios and vgaRom: paths; image optional with bios; vgaRom needs bios; not with compareWith', () => {
  const base = { type: 'bootscope', request: 'launch', name: 'x' };
  assert.deepEqual(validateConfig({ ...base, bios: '/s/bios.bin' }, () => true), [], 'firmware alone');
  assert.deepEqual(validateConfig({ ...base, image: '/a.iso', bios: '/s/bios.bin', vgaRom: '/s/vga.bin' }, () => true), []);
  assert.match(validateConfig({ ...base, image: '/a.img', bios: '/nope.bin' }, (p) => p !== '/nope.bin').join(' '), /"bios" points at \/nope\.bin, which does not exist/);
  for (const b of ['', 7]) assert.match(validateConfig({ ...base, image: '/a.img', bios: b as never }).join(' '), /"bios" must be the path of a file/);
  assert.match(validateConfig({ ...base, image: '/a.img', vgaRom: '/s/vga.bin' }).join(' '), /"vgaRom" needs "bios"/);
  // QEMU boots the same firmware and the same image.
  assert.deepEqual(validateConfig({ ...base, image: '/a.img', bios: '/s/bios.bin', compareWith: { qemu: {} } }, () => true), []);
  assert.match(validateConfig({ ...base, bios: '/s/bios.bin', compareWith: { qemu: {} } }, () => true).join(' '), /"compareWith" needs a drive \("image", "hd", "fd" or "cdrom": a path\)/);
});

test('firmware: builtin or seabios; seabios makes image optional and takes vgaRom; builtin excludes bios', () => {
  const base = { type: 'bootscope', request: 'launch', name: 'x' };
  assert.deepEqual(validateConfig({ ...base, firmware: 'seabios' }), [], 'seabios alone');
  assert.deepEqual(validateConfig({ ...base, image: '/a.img', firmware: 'seabios', vgaRom: '/s/vga.bin' }, () => true), []);
  assert.match(validateConfig({ ...base, firmware: 'builtin' }).join(' '), /"image" is missing/);
  assert.match(validateConfig({ ...base, image: '/a.img', firmware: 'ovmf' }).join(' '), /"firmware" is "ovmf": it must be one of builtin, seabios/);
  assert.match(validateConfig({ ...base, image: '/a.img', firmware: 'builtin', bios: '/s/b.bin' }, () => true).join(' '), /"firmware" builtin and "bios" exclude each other/);
  assert.match(validateConfig({ ...base, firmware: 'seabios', compareWith: { qemu: {} } }).join(' '), /"compareWith" needs a drive \("image", "hd", "fd" or "cdrom": a path\)/);
});

test('hd, fd and boot: paths or lists, a boot order of fd, hd, cdrom, no more drives than the machine has; image optional beside them', () => {
  const base = { type: 'bootscope', request: 'launch', name: 'x' };
  assert.deepEqual(validateConfig({ ...base, hd: ['/a.img', '/b.img'], fd: '/f.img', cdrom: '/c.iso', boot: ['cdrom', 'hd'] }), []);
  assert.deepEqual(validateConfig({ ...base, image: '/a.img', boot: 'dca' }), []);
  assert.match(validateConfig({ ...base, image: '/a.img', hd: [1] as never }).join(' '), /"hd" must be the path of a disk image or a list of them/);
  assert.match(validateConfig({ ...base, image: '/a.img', boot: ['hd', 'usb'] }).join(' '), /"boot": "usb" is not a boot device/);
  assert.match(validateConfig({ ...base, image: '/a.img', fd: ['/f', '/g'], floppy: true }).join(' '), /3 floppies/);
  assert.match(validateConfig({ ...base, image: '/a.img', hd: ['/b', '/c', '/d'] }).join(' '), /^$/);
  assert.match(validateConfig({ ...base, image: '/a.img', hd: ['/b', '/c', '/d'], cdrom: '/e.iso' }).join(' '), /4 hard disks and a CD/);
});

test('compareWith: { qemu: { binary?, args?, accel?, max? } }, with recording', () => {
  const base = { type: 'bootscope', request: 'launch', name: 'x', image: '/a.img' };
  assert.deepEqual(validateConfig({ ...base, compareWith: { qemu: {} } }), []);
  assert.deepEqual(validateConfig({ ...base, compareWith: { qemu: { binary: '/q', args: ['-cpu', 'pentium'], accel: 'kvm', max: 5 } } }), []);
  assert.match(validateConfig({ ...base, compareWith: { bochs: {} } }).join(' '), /"compareWith" must be \{ "qemu": /);
  assert.match(validateConfig({ ...base, compareWith: { qemu: { accel: 'hvf' } } }).join(' '), /"compareWith\.qemu\.accel" is "hvf": it must be one of tcg, kvm/);
  assert.match(validateConfig({ ...base, compareWith: { qemu: { args: '-s' } } }).join(' '), /"compareWith\.qemu\.args" must be a list of strings/);
  assert.match(validateConfig({ ...base, compareWith: { qemu: { max: 0 } } }).join(' '), /"compareWith\.qemu\.max" must be a positive integer/);
  assert.match(validateConfig({ ...base, record: false, compareWith: { qemu: {} } }).join(' '), /"compareWith" needs "record": true/);
});

test('attach: qemu.port required (1 to 65535), qemu.host optional', () => {
  const base = { type: 'bootscope', request: 'attach', name: 'x' };
  assert.deepEqual(validateConfig({ ...base, qemu: { port: 1234 } }), []);
  assert.deepEqual(validateConfig({ ...base, qemu: { host: 'vmhost', port: 1234 } }), []);
  for (const q of [undefined, {}, { port: 0 }, { port: '1234' }, { port: 70000 }]) {
    assert.match(validateConfig({ ...base, qemu: q }).join(' '), /"qemu" must be \{ "port": 1234 \}/, JSON.stringify(q));
  }
  assert.match(validateConfig({ ...base, qemu: { host: '', port: 1 } }).join(' '), /"qemu\.host" must be a host name/);
});
