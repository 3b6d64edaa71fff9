// The lock-step comparison itself (compare.ts), on hand-made records: it must fail on a register
// or control-flow difference and say where, and accept only what it is told to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRACE_REGS, type TraceReg, type TraceRecord } from '../../emulator/record/traceDiff';
import { guestOnly, lockstep } from './compare';

function rec(source: number, eip: number, regs: Partial<Record<TraceReg, number>> = {}, cs = 0): TraceRecord {
  const all = Object.fromEntries(TRACE_REGS.map((k) => [k, 0])) as Record<TraceReg, number>;
  Object.assign(all, { esp: 0x7c00, eflags: 0x202, cr0: 0x10 }, regs);
  return { source, cs, eip, lin: (cs << 4) + eip, code32: null, regs: all };
}

/** A straight run 7C00, 7C01, ... with EAX counting up. */
const run = (n: number) => Array.from({ length: n }, (_, i) => rec(i, 0x7c00 + i, { eax: i }));

test('identical traces agree to the end', () => {
  const c = lockstep(run(10), run(10));
  assert.deepEqual([c.matched, c.qemuCovered, c.divergence, c.interrupt], [10, 10, null, null]);
});

test('a register difference fails at its instruction, naming both CS:EIP and the register', () => {
  const ours = run(10);
  ours[6].regs.ebx = 0x1234;
  const c = lockstep(ours, run(10));
  assert.equal(c.matched, 6);
  assert.equal(c.interrupt, null);
  assert.match(c.divergence!, /divergence at instruction 6 .*registers differ/);
  assert.match(c.divergence!, /bootscope 0000:00007c06/);
  assert.match(c.divergence!, /qemu {6}0000:00007c06/);
  assert.match(c.divergence!, /ebx {4}bootscope=00001234 qemu=00000000/);
});

test('a control-flow difference fails, and is not taken for an interrupt without an interrupt frame under IF', () => {
  const ours = run(10);
  ours[4] = rec(4, 0x7d00, { eax: 4 });
  const c = lockstep(ours, run(10));
  assert.equal(c.matched, 4);
  assert.equal(c.interrupt, null);
  assert.match(c.divergence!, /control flow differs\n {2}bootscope 0000:00007d00/);
  // With IF clear before it, even a change that looks like an interrupt frame is a plain divergence.
  const cli = (rs: TraceRecord[]) => rs.map((r) => ({ ...r, regs: { ...r.regs, eflags: 0x2 } }));
  const masked = cli(run(10));
  masked[4] = rec(4, 0x3a20, { eax: 4, eflags: 0x2, esp: 0x7c00 - 12 });
  assert.equal(lockstep(masked, cli(run(10))).interrupt, null);
});

test('an interrupt entry on one side (IF cleared, a 6- or 12-byte frame) ends the comparison as an interrupt', () => {
  const qemu = run(10);
  qemu[5] = rec(5, 0x3a20, { eax: 5, eflags: 0x2, esp: 0x7c00 - 12 }, 0x20);
  assert.equal(lockstep(run(10), qemu).interrupt, 'qemu');
  const ours = run(10);
  ours[5] = rec(5, 0x3a20, { eax: 5, eflags: 0x2, esp: 0x7c00 - 6 });
  assert.equal(lockstep(ours, run(10)).interrupt, 'bootscope');
});

test("QEMU's exact repeat of a record is dropped; any other extra record is a divergence", () => {
  const qemu = run(10);
  qemu.splice(3, 0, { ...qemu[2], source: 99 });
  const c = lockstep(run(10), qemu);
  assert.deepEqual([c.matched, c.qemuCovered, c.repeats, c.divergence], [10, 11, 1, null]);
  qemu[3] = rec(99, 0x7c02, { eax: 3 });
  assert.notEqual(lockstep(run(10), qemu).divergence, null);
});

test('an allowance excuses its registers after its instruction until both sides agree again, and nothing else', () => {
  const ours = run(10), qemu = run(10);
  for (const i of [3, 4, 5]) ours[i].regs.esi = 0xefc7, qemu[i].regs.esi = 0x601c;
  const allow = [{ lin: 0x7c02, regs: ['esi' as TraceReg], why: 'BIOS data' }];
  const c = lockstep(ours, qemu, allow);
  assert.equal(c.divergence, null);
  assert.deepEqual(c.allowed, ['esi after 0000:00007c02 lin=00007c02 (instruction 3): BIOS data']);
  // After they agreed at 6, a new ESI difference is a divergence again.
  ours[8].regs.esi = 1;
  assert.equal(lockstep(ours, qemu, allow).matched, 8);
  // The same difference made by another instruction is not excused.
  assert.equal(lockstep(ours, qemu, [{ ...allow[0], lin: 0x7c01 }]).matched, 3);
});

test('guestOnly drops BIOS and IVT/BDA addresses and keeps protected-mode records without a linear address', () => {
  const bios = rec(0, 0xe987, {}, 0xf000);
  const pm = { ...rec(1, 0x8fa8, {}, 0x20), lin: null };
  const low = rec(2, 0x400);
  assert.deepEqual(guestOnly([bios, pm, low, rec(3, 0x7c00)]).map((r) => r.source), [1, 3]);
});
