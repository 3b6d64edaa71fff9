// @tier full
// `bootscope compare --accel kvm` (host/qemuGdb.ts): QEMU runs the guest on the host CPU under KVM
// and its gdbstub single-steps it. Where /dev/kvm can be used: a boot sector whose INT 1Eh vector
// differs between SeaBIOS and Bootscope's BIOS diverges at exactly the instruction after the load,
// and a loop both run alike agrees to the budget. Where it cannot, the option is one line and exit 1
// saying why. Either way a missing KVM device and a bad --accel are clear errors.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accelProblem, kvmNote, qemuMissing } from '../../host/qemu';

const kvm = accelProblem('kvm');
const dir = mkdtempSync(join(tmpdir(), 'bootscope-kvm-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function nasm(name: string, source: string[]): string {
  writeFileSync(join(dir, `${name}.asm`), [...source, 'times 510-($-$$) db 0', 'dw 0xaa55', ''].join('\n'));
  const r = spawnSync('nasm', ['-f', 'bin', '-o', join(dir, `${name}.img`), join(dir, `${name}.asm`)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return join(dir, `${name}.img`);
}

const compare = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'compare', ...args], { encoding: 'utf8', timeout: 170_000 });

before(() => {
  assert.equal(qemuMissing(), null);
});

test('kvmNote: a CPU without vmx and svm is said to leave real mode to KVM\'s emulator; with either, nothing', () => {
  assert.equal(kvmNote('processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae vmx ept\n'), null);
  assert.equal(kvmNote('flags\t\t: fpu svm npt\n'), null);
  assert.match(kvmNote('flags\t\t: fpu vme hypervisor lm\n') ?? '', /^this host's CPU flags show neither vmx nor svm: its KVM is paravirtual or nested/);
});

test('accel kvm without a usable KVM device, and a bad --accel: one line each', () => {
  assert.equal(accelProblem('kvm', join(dir, 'no-kvm')), `accel kvm needs ${join(dir, 'no-kvm')}, which this machine does not have (no KVM here, or its module is not loaded: use tcg)`);
  assert.equal(accelProblem('tcg', join(dir, 'no-kvm')), null);
  const img = nasm('spin', ['org 0x7c00', 'cli', 'spin: inc cx', 'jmp spin']);
  const bad = compare(img, '--accel', 'hvf');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "bootscope compare: --accel: 'hvf' is not one of tcg, kvm\n");
  if (kvm) {
    // This machine cannot run KVM: the option says why and does nothing else.
    const r = compare(img, '--accel', 'kvm');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `bootscope compare: ${kvm}\n`);
  }
});

test('--accel kvm: the first divergence at its instruction, and agreement to the budget', { skip: kvm ?? false, timeout: 360_000 }, () => {
  const diff = nasm('diff', ['org 0x7c00', 'cli', 'xor ax, ax', 'mov ds, ax', 'mov bx, 3', 'add bx, bx', 'mov ax, [0x1e * 4]', 'inc bx', 'spin: inc cx', 'jmp spin']);
  const r = compare(diff, '--accel', 'kvm', '--max', '1000');
  assert.equal(r.status, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /^divergence at instruction 6 from 0000:7C00, at 0000:00007c0d lin=00007c0d: eax differs$/m);
  assert.match(r.stdout, /\* eax +0000efc7 +[0-9a-f]{8}/);
  assert.match(r.stdout, /\(QEMU KVM, gdbstub single steps\)$/m);
  const note = kvmNote(readFileSync('/proc/cpuinfo', 'utf8'));
  if (note) assert.ok(r.stdout.includes(`\nKVM: ${note}\n`), r.stdout);
  const loop = nasm('loop', ['org 0x7c00', 'cli', 'xor ax, ax', 'spin: inc cx', 'add ax, cx', 'jmp spin']);
  const ok = compare(loop, '--accel', 'kvm', '--max', '600');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^no divergence: 600 instructions from 0000:7C00 agree \(the budget\)$/m);
});
