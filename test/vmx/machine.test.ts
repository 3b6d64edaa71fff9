// Profiles on the live emulated CPU (Machine + VmentryMonitor): the two boot-sector proofs.
// Unreal mode: kvm-rmode stops (--break-on-emulation) right after the `mov cr0` that returns to real mode with DS
// still a 4 GiB protected-mode segment, naming DS; unrestricted never stops; xen-vm86 follows Xen's vm86-safe test
// (base < 1 MiB, 16-aligned, limit >= 0xffff, present), so it stops only when the segment's base is above 1 MiB.
// SS with RPL 3 across CR0.PE: raw fails with the SS rules, xen-vm86 and kvm-rmode emulate until SS is reloaded.
// Fixtures are NASM sources assembled at test time (CI installs nasm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../emulator/machine';
import { VmentryMonitor, type MonitorOptions } from '../../emulator/vmx/monitor';
import { snapshotFromCpu } from '../../emulator/vmx/fromCpu';

const haveNasm = spawnSync('sh', ['-c', 'command -v nasm']).status === 0;

function assemble(name: string, defines: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-vmx-'));
  try {
    const out = join(dir, 'a.bin');
    const r = spawnSync('nasm', ['-f', 'bin', ...defines.map((d) => `-D${d}`), '-o', out, join(__dirname, 'fixtures', `${name}.asm`)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Address right after the k-th (0-based) `mov cr0, eax` (0F 22 C0). */
function afterMovCr0(bin: Uint8Array, k: number): number {
  let seen = 0;
  for (let i = 0; i + 2 < bin.length; i++) {
    if (bin[i] === 0x0f && bin[i + 1] === 0x22 && bin[i + 2] === 0xc0 && seen++ === k) return 0x7c00 + i + 3;
  }
  throw new Error('no mov cr0, eax');
}

function boot(bin: Uint8Array, opts: MonitorOptions) {
  const m = new Machine({ memoryMB: 4 });
  const sector = new Uint8Array(512);
  sector.set(bin);
  m.loadBootSector(sector, 0x80);
  const mon = new VmentryMonitor(opts);
  return { m, mon, run: (extra: object = {}) => m.run({ maxInstructions: 1000, beforeInstruction: mon.beforeInstruction, ...extra }) };
}

test('unreal mode under kvm-rmode: --break-on-emulation stops right after the mov cr0 that clears PE, naming DS', { skip: !haveNasm && 'nasm not installed' }, () => {
  const bin = assemble('unreal');
  const { m, mon, run } = boot(bin, { profile: 'kvm-rmode', breakOnEmulation: true });
  const stop = run();
  assert.equal(stop.reason, 'emulation');
  assert.equal(m.pcLinear, afterMovCr0(bin, 1));
  const v = mon.summary(m);
  assert.equal(v.verdict, 'emulate');
  assert.match(v.reason, /^DS\.base 0x00000000 is not DS\.selector << 4 = 0x00000080 — KVM emulates .* until DS is reloaded$/);
});

test('unreal mode under unrestricted: never stops', { skip: !haveNasm && 'nasm not installed' }, () => {
  const { mon, run, m } = boot(assemble('unreal'), { profile: 'unrestricted', breakOnEmulation: true, breakOnFailure: true });
  assert.equal(run().reason, 'halt');
  assert.equal(mon.summary(m).verdict, 'enter');
});

test("unreal mode under xen-vm86: a base-0 4 GiB DS passes Xen's vm86-safe test (limit >= 0xffff); a base at 1 MiB stops, naming DS", { skip: !haveNasm && 'nasm not installed' }, () => {
  const low = boot(assemble('unreal'), { profile: 'xen-vm86', breakOnEmulation: true });
  assert.equal(low.run().reason, 'halt');
  const high = assemble('unreal', ['DATA_BASE=0x100000']);
  const h = boot(high, { profile: 'xen-vm86', breakOnEmulation: true });
  assert.equal(h.run().reason, 'emulation');
  assert.equal(h.m.pcLinear, afterMovCr0(high, 1));
  assert.equal(h.mon.summary(h.m).reason, 'DS.base 0x00100000 is not below 1 MiB — Xen emulates until DS is reloaded');
});

test('SS with RPL 3 across CR0.PE: raw fails with the SS rules; xen-vm86 and kvm-rmode emulate until SS is reloaded', { skip: !haveNasm && 'nasm not installed' }, () => {
  const bin = assemble('ss_rpl3');
  const pe = afterMovCr0(bin, 0);
  const raw = boot(bin, { profile: 'raw' });
  assert.equal(raw.run({ until: [{ kind: 'linear', address: pe }] }).reason, 'until');
  const r = raw.mon.summary(raw.m);
  assert.equal(r.verdict, 'fail');
  const got = r.failures.map((f) => `${f.id} §${f.section}`);
  assert.ok(got.includes('SEL.SS_RPL §26.3.1.2') && got.includes('DPL.SS §26.3.1.2'), got.join(', '));
  for (const profile of ['xen-vm86', 'kvm-rmode'] as const) {
    const b = boot(bin, { profile, breakOnEmulation: true });
    assert.equal(b.run().reason, 'emulation', profile);
    assert.equal(b.m.pcLinear, pe, profile);
    assert.match(b.mon.summary(b.m).reason, /SS\.selector 0x1003 has RPL 3 .*SS is reloaded/, profile);
    // After `mov ss, bx` (selector 0x08, ring 0) the hypervisor enters again.
    assert.equal(b.run({ until: [{ kind: 'linear', address: pe + 5 + 1 }] }).reason, 'until', profile);
    assert.equal(b.mon.summary(b.m).verdict, 'enter', `${profile}: ${b.mon.summary(b.m).reason}`);
  }
});

test('raw with --break-on-vmentry-failure stops at the first instruction: real mode never enters without unrestricted guest', { skip: !haveNasm && 'nasm not installed' }, () => {
  const { m, run } = boot(assemble('ss_rpl3'), { profile: 'raw', breakOnFailure: true });
  assert.equal(run().reason, 'vmentry-failure');
  assert.equal(m.pcLinear, 0x7c00);
});

test('--list-emulated: the instructions KVM would emulate, with the state before and after', { skip: !haveNasm && 'nasm not installed' }, () => {
  const bin = assemble('ss_rpl3');
  const { m, mon, run } = boot(bin, { profile: 'kvm-rmode', listEmulated: true });
  assert.equal(run().reason, 'halt');
  const list = mon.finish(m);
  const pe = afterMovCr0(bin, 0);
  assert.deepEqual(list.map((e) => e.eip), [pe, pe + 3], 'mov bx, 8 and mov ss, bx (CS base 0)');
  assert.equal(list[1].before.segments.ss.selector, 0x1003);
  assert.equal(list[1].after?.segments.ss.selector, 0x08);
});

test('a halted guest is entered in the active state (hypervisors intercept HLT); the MOV-SS shadow shows as interruptibility', { skip: !haveNasm && 'nasm not installed' }, () => {
  const { m, mon, run } = boot(assemble('unreal'), { profile: 'kvm-rmode' });
  assert.equal(run().reason, 'halt');
  // Real mode with ES reloaded but DS still 4 GiB: KVM emulates; after the run it is halted, not failed.
  assert.equal(mon.summary(m).verdict, 'emulate');
  const s = boot(assemble('ss_rpl3'), { profile: 'xen-vm86' });
  assert.equal(s.run().reason, 'halt');
  assert.equal(s.mon.summary(s.m).verdict, 'enter', s.mon.summary(s.m).reason);
  const sh = boot(assemble('ss_rpl3'), { profile: 'raw' });
  sh.run({ until: [{ kind: 'linear', address: 0x7c0a }] }); // right after `mov ss, ax`
  assert.equal(snapshotFromCpu(sh.m.cpu).interruptibility, 2, 'IF=0: reported as blocking by MOV-SS');
});
