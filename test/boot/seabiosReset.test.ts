// @tier full
// Debian's SeaBIOS traced from the reset vector under QEMU 7.2 (TCG, one record per instruction,
// isa-debugcon at 402h as Bootscope has it) and under `bootscope run --bios --trace`, compared by
// `bootscope trace-diff --range 0..0xffffffff` (the lock-step engine). QEMU is told to be this
// machine where it has an option for it (MACHINE_ALIKE): the Pentium model's CPUID (signature 52Ch,
// no APIC, MMX, DE or MCE, no hypervisor leaf, which SeaBIOS would store and compare), no kvmvapic
// ROM (it serves a local APIC neither has), the SMBIOS strings ours has, the RTC starting at ours'
// date; SeaVGABIOS is the VGA's ROM on both. The POST's first 343,596 instructions agree — shadowing
// itself through the PAM registers, reading fw_cfg by its DMA interface, walking its file directory
// (the same 11 files), PCI, the PIR, MP and SMBIOS tables — with only CPUID's EBX and ECX answers
// excused, and the first difference is the length of the DSDT SeaBIOS's table loader checksums:
// this machine's ACPI tables are not QEMU's (emulator/devices/README.md). Skipped where the seabios
// package or QEMU is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuAvailable } from '../devices/portScript';
import { QEMU } from '../../host/qemu';

const BIOS = '/usr/share/seabios/bios.bin', VGA_ROM = '/usr/share/seabios/vgabios-stdvga.bin';
const skip = !existsSync(BIOS) ? `${BIOS} is missing (Debian package seabios)` : !qemuAvailable() && 'qemu-system-i386 not installed';
/** Instructions traced on our side; QEMU's log is cut past as many records (about 900 bytes each). */
const OURS = 350_000, QEMU_LOG_BYTES = 330_000_000;
/** QEMU options that make its machine this one (see above). */
const MACHINE_ALIKE = [
  '-cpu', 'pentium,family=5,model=2,stepping=12,-apic,-mmx,-de,-mce,tcg-cpuid=off', '-global', 'apic-common.vapic=off',
  '-smbios', 'type=1,manufacturer=Bootscope,version=1', '-smbios', 'type=3,manufacturer=Bootscope,version=1',
  '-smbios', 'type=4,manufacturer=Bootscope,version=Bootscope pentium', '-smbios', 'type=17,manufacturer=Bootscope',
  '-rtc', 'base=2024-01-01T00:00:00,clock=vm',
];

test("SeaBIOS from reset: the lock-step engine agrees with QEMU through fw_cfg, PCI, the MP and SMBIOS tables up to the ACPI tables' loader", { skip }, async () => {
  assert.equal(spawnSync(process.execPath, ['scripts/build.mjs']).status, 0);
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-seabios-reset-'));
  const disk = join(dir, 'disk.img');
  const mbr = new Uint8Array(4 << 20);
  mbr.set([0xfa, 0xf4]); // cli; hlt
  mbr.set([0x55, 0xaa], 510);
  writeFileSync(disk, mbr);
  const log = join(dir, 'qemu.log');
  const q = spawn(QEMU, [
    '-nodefaults', '-vga', 'std', '-display', 'none', '-m', '64', '-drive', `file=${disk},format=raw,if=ide,snapshot=on`,
    '-serial', 'none', '-monitor', 'none', '-bios', BIOS, ...MACHINE_ALIKE,
    '-chardev', `file,id=dc,path=${join(dir, 'debugcon.log')}`, '-device', 'isa-debugcon,iobase=0x402,chardev=dc',
    '-icount', 'shift=8,sleep=off', '-singlestep', '-d', 'in_asm,cpu,exec,nochain', '-D', log,
  ], { stdio: 'ignore' });
  try {
    for (const end = Date.now() + 120_000; Date.now() < end && q.exitCode === null;) {
      await new Promise((r) => setTimeout(r, 200));
      if (existsSync(log) && statSync(log).size > QEMU_LOG_BYTES) break;
    }
  } finally {
    q.kill('SIGKILL');
  }
  await new Promise((r) => (q.exitCode !== null || q.signalCode !== null ? r(null) : q.on('exit', r)));
  const ours = join(dir, 'ours.jsonl');
  const run = spawnSync(process.execPath, ['dist/cli.js', 'run', '--bios', BIOS, '--vga-rom', VGA_ROM, '--cpu', 'pentium', disk, '--max', String(OURS), '--trace', ours], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const r = spawnSync(process.execPath, ['dist/cli.js', 'trace-diff', ours, log, '--range', '0..0xffffffff', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  const div = d.divergence;
  assert.ok(div, JSON.stringify(d.end));
  assert.equal(div.index, 343_596, 'instructions that agree from F000:FFF0');
  assert.deepEqual(div.registers, ['eax']);
  assert.equal(div.ours.regs.eax, 285, 'the length of our DSDT');
  assert.equal(div.qemu.regs.eax, 6321, "QEMU's");
  assert.deepEqual([...new Set(d.rules.allowed.map((a: string) => a.replace(/ after .*: /, ': ')))],
    ['ebx: CPUID answers for the CPU model', 'ecx: CPUID answers for the CPU model'], 'only CPUID\'s EBX and ECX excused');
  assert.equal(d.rules.interrupts.qemu + d.rules.interrupts.bootscope, 0, 'no interrupt taken on one side only');
  assert.match(readFileSync(join(dir, 'debugcon.log'), 'utf8'), /Moving pm_base to 0x600\n(.*\n)*Copying SMBIOS/, 'QEMU got as far');
});
