// @tier full
// Debian's SeaBIOS traced from the reset vector under QEMU 7.2 (TCG, one record per instruction,
// isa-debugcon at 402h as Bootscope has it) and under `bootscope run --bios --trace`, compared by
// `bootscope trace-diff --range 0..0xffffffff --resync-return` (the lock-step engine). QEMU is told
// to be this machine where it has an option for it (MACHINE_ALIKE): the Pentium model's CPUID
// (signature 52Ch, no APIC, MMX, DE or MCE, no hypervisor bit or leaf, whose signature SeaBIOS would
// store and compare), no kvmvapic ROM (it serves a local APIC neither has), a COM1, the disk's model
// name, the SMBIOS strings ours has, the RTC starting at ours' date; SeaVGABIOS is the VGA's ROM on
// both. The POST's first 343,596 instructions agree — shadowing itself through the PAM registers,
// reading fw_cfg by its DMA interface, walking its file directory (the same 11 files), PCI, the PIR,
// MP and SMBIOS tables — with only CPUID's EBX answer excused. There SeaBIOS's table loader
// checksums the DSDT, and this machine's ACPI tables are not QEMU's: the rule skips both sides to
// the return they share (8,350 of our instructions, 42,008 of QEMU's: the loader and SeaBIOS's
// DSDT parser), and from there the two agree again, every register, to the end of QEMU's log
// (emulator/devices/README.md). Skipped where the seabios package or QEMU is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { qemuAvailable } from '../devices/portScript';
import { QEMU } from '../../host/qemu';

const BIOS = '/usr/share/seabios/bios.bin', VGA_ROM = '/usr/share/seabios/vgabios-stdvga.bin';
const skip = !existsSync(BIOS) ? `${BIOS} is missing (Debian package seabios)` : !qemuAvailable() && 'qemu-system-i386 not installed';
/**
 * Instructions traced on our side; QEMU's log is cut at a record past as many bytes (about 600 a
 * record once the lines trace-diff does not read are dropped), under trace-diff's 512 MiB.
 */
const OURS = 900_000, QEMU_LOG_BYTES = 500_000_000;
/** QEMU's register-dump lines the comparison does not use. */
const UNUSED = /^(LDT|TR |GDT|IDT|DR\d|CCS|EFER|----)/;
/** QEMU options that make its machine this one (see above). */
const MACHINE_ALIKE = [
  '-cpu', 'pentium,family=5,model=2,stepping=12,-apic,-mmx,-de,-mce,-hypervisor,tcg-cpuid=off', '-global', 'apic-common.vapic=off',
  '-serial', 'null',
  '-smbios', 'type=1,manufacturer=Bootscope,version=1', '-smbios', 'type=3,manufacturer=Bootscope,version=1',
  '-smbios', 'type=4,manufacturer=Bootscope,version=Bootscope pentium', '-smbios', 'type=17,manufacturer=Bootscope',
  '-rtc', 'base=2024-01-01T00:00:00,clock=vm',
];

test('SeaBIOS from reset: the lock-step engine agrees with QEMU through POST but for one skip to a common return over the ACPI tables', { skip }, async () => {
  assert.equal(spawnSync(process.execPath, ['scripts/build.mjs']).status, 0);
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-seabios-reset-'));
  const disk = join(dir, 'disk.img');
  const mbr = new Uint8Array(4 << 20);
  mbr.set([0xfa, 0xf4]); // cli; hlt
  mbr.set([0x55, 0xaa], 510);
  writeFileSync(disk, mbr);
  const fifo = join(dir, 'qemu.fifo'), log = join(dir, 'qemu.log');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const q = spawn(QEMU, [
    '-nodefaults', '-vga', 'std', '-display', 'none', '-m', '64', '-monitor', 'none', '-bios', BIOS, ...MACHINE_ALIKE,
    '-drive', `file=${disk},format=raw,if=none,id=d0,snapshot=on`, '-device', 'ide-hd,drive=d0,bus=ide.0,model=BOOTSCOPE HARDDISK',
    '-chardev', `file,id=dc,path=${join(dir, 'debugcon.log')}`, '-device', 'isa-debugcon,iobase=0x402,chardev=dc',
    '-icount', 'shift=8,sleep=off', '-singlestep', '-d', 'in_asm,cpu,exec,nochain', '-D', fifo,
  ], { stdio: 'ignore' });
  const out = createWriteStream(log);
  let bytes = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(fifo) })) {
      if (UNUSED.test(line)) continue;
      if (bytes > QEMU_LOG_BYTES && /^(IN:|Trace )/.test(line)) break; // at a record's start (its code, if logged, comes first)
      out.write(line + '\n');
      bytes += line.length + 1;
    }
  } finally {
    q.kill('SIGKILL');
  }
  await new Promise((r) => out.end(r));
  const ours = join(dir, 'ours.jsonl');
  const run = spawnSync(process.execPath, ['dist/cli.js', 'run', '--bios', BIOS, '--vga-rom', VGA_ROM, '--cpu', 'pentium', disk, '--max', String(OURS), '--trace', ours], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const r = spawnSync(process.execPath, ['dist/cli.js', 'trace-diff', ours, log, '--range', '0..0xffffffff', '--resync-return', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.divergence, null, JSON.stringify(d.divergence?.registers));
  assert.match(d.end, /^QEMU's records end after/, JSON.stringify({ compared: d.compared, returns: d.rules.returns, interrupts: d.rules.interrupts }));
  assert.ok(d.compared > 780_000, `${d.compared} instructions agree`);
  assert.equal(d.rules.returns.length, 1, 'one skip to a common return');
  const skipped = d.rules.returns[0];
  assert.equal(skipped.index, 343_596, 'instructions that agree from F000:FFF0 before it');
  assert.equal(skipped.from.lin, 0x2ffa3a8, "the table loader's checksum command");
  assert.equal(skipped.to.lin, 0x2ffb12e, 'the return to the caller of the loader and the DSDT parser');
  assert.deepEqual([skipped.ours, skipped.qemu], [8_350, 42_008], 'our 285-byte DSDT, QEMU\'s 6,321 bytes');
  assert.deepEqual([...new Set(d.rules.allowed.map((a: string) => a.replace(/ after .*: /, ': ')))],
    ['ebx: CPUID answers for the CPU model'], 'only CPUID\'s EBX excused');
  assert.equal(d.rules.interrupts.qemu + d.rules.interrupts.bootscope, 0, 'no interrupt taken on one side only');
  assert.match(readFileSync(join(dir, 'debugcon.log'), 'utf8'), /Copying SMBIOS(.*\n)*Scan for VGA option rom/, 'QEMU got as far');
});
