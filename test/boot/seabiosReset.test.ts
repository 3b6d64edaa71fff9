// @tier full
// Debian's SeaBIOS traced from the reset vector under QEMU 7.2 (TCG, one record per instruction,
// isa-debugcon at 402h as Bootscope has it) and under `bootscope run --bios --trace`, compared by
// `bootscope trace-diff --range 0..0xffffffff` (the lock-step engine): the POST's first 131,931
// instructions agree — shadowing itself through the PAM registers, fw_cfg by its DMA interface —
// with only the CPU model's values excused (EDX and CR0 at reset, a MOV from CR0, CPUID's outputs),
// and the first difference is SeaBIOS reloading the hypervisor signature CPUID gave it (QEMU's
// "TCGTCGTCGTCG"), which emulator/devices/README.md describes with what follows. Skipped where the
// seabios package or QEMU is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuAvailable } from '../devices/portScript';
import { QEMU } from '../../host/qemu';

const BIOS = '/usr/share/seabios/bios.bin';
const skip = !existsSync(BIOS) ? `${BIOS} is missing (Debian package seabios)` : !qemuAvailable() && 'qemu-system-i386 not installed';
/** Instructions traced on our side; QEMU's log is cut past as many records (about 900 bytes each). */
const OURS = 140_000, QEMU_LOG_BYTES = 150_000_000;

test('SeaBIOS from reset: the lock-step engine agrees with QEMU up to CPUID\'s hypervisor signature', { skip }, async () => {
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
    '-serial', 'none', '-monitor', 'none', '-bios', BIOS,
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
  const run = spawnSync(process.execPath, ['dist/cli.js', 'run', '--bios', BIOS, disk, '--max', String(OURS), '--trace', ours], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const r = spawnSync(process.execPath, ['dist/cli.js', 'trace-diff', ours, log, '--range', '0..0xffffffff', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  const div = d.divergence;
  assert.ok(div, JSON.stringify(d.end));
  assert.equal(div.index, 131_931, 'instructions that agree from F000:FFF0');
  assert.equal(div.ours.lin, 0xee228);
  assert.deepEqual(div.registers, ['eax']);
  assert.equal(div.qemu.regs.eax, 0x54474354, "QEMU's 'TCGT'");
  const allowed: string[] = d.rules.allowed;
  assert.ok(allowed.some((a) => /^edx at f000:0000fff0 lin=fffffff0 .*the CPU signature at reset/.test(a)), allowed.join('\n'));
  assert.ok(allowed.some((a) => /^cr0 at f000:0000fff0 .*CD and NW/.test(a)));
  assert.ok(allowed.some((a) => /^ecx after f000:0000d0aa .*it holds CR0/.test(a)));
  assert.ok(allowed.some((a) => /CPUID answers for the CPU model/.test(a)));
  assert.equal(d.rules.interrupts.qemu + d.rules.interrupts.bootscope, 0, 'no interrupt taken on one side only');
});
