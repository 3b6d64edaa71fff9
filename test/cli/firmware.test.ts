// `bootscope run --firmware builtin|seabios` (docs/CLI.md): the option's misuses are usage errors and a
// missing seabios package gets a message that names it (test/boot/seabios.test.ts boots with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEABIOS_FILES } from '../../protocol/launchConfig';
import { seabiosPackageMissing } from '../../host/seabios';

const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'run', ...args], { encoding: 'utf8' });

/** A boot sector that prints 'booted' on port 402h and halts. */
function bootSector(): string {
  const code = [0xbe, 0x13, 0x7c, 0xba, 0x02, 0x04, 0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8, 0xfa, 0xf4, 0xeb, 0xfd, 0x90];
  const img = new Uint8Array(512);
  img.set(code);
  img.set(new TextEncoder().encode('booted\n\0'), 0x13);
  img.set([0x55, 0xaa], 510);
  const file = join(mkdtempSync(join(tmpdir(), 'bootscope-firmware-')), 'boot.img');
  writeFileSync(file, img);
  return file;
}

test('--firmware: unknown names, builtin with --bios, --vga-rom without a firmware are usage errors (exit 2, one line)', () => {
  const img = bootSector();
  for (const [args, message] of [
    [['--firmware', 'ovmf'], "--firmware: 'ovmf' is not one of builtin, seabios"],
    [['--firmware', 'builtin', '--bios', img], '--firmware builtin and --bios exclude each other'],
    [['--firmware', 'builtin', '--vga-rom', img], '--vga-rom needs --bios (or --firmware seabios)'],
    [['--vga-rom', img], '--vga-rom needs --bios (or --firmware seabios)'],
  ] as const) {
    const r = cli(img, ...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.ok(r.stderr.startsWith(`bootscope run: ${message}`), r.stderr);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  }
});

test('compare takes --firmware as run does: its misuses are usage errors before QEMU is looked for', () => {
  const img = bootSector();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'compare', img, '--firmware', 'builtin', '--bios', img], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, 'bootscope compare: --firmware builtin and --bios exclude each other: --bios names the firmware run instead of the built-in BIOS\n');
});

test('a missing seabios package: the message names the file and how to install it', () => {
  const opt = { bios: '--bios', vgaRom: '--vga-rom' };
  assert.equal(seabiosPackageMissing([SEABIOS_FILES.bios, SEABIOS_FILES.vgaRom], opt, () => false),
    "/usr/share/seabios/bios-256k.bin is missing: it comes with Debian's seabios package (apt-get install seabios), or name other files with --bios and --vga-rom");
  assert.match(seabiosPackageMissing(['/my/bios.bin', SEABIOS_FILES.vgaRom], opt, (p) => p !== SEABIOS_FILES.vgaRom) ?? '', /^\/usr\/share\/seabios\/vgabios-stdvga\.bin is missing/);
  assert.equal(seabiosPackageMissing(['/my/bios.bin', null], opt, () => false), null, 'files the user names get the ordinary file errors');
});
