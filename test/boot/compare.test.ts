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
  assert.deepEqual([c.matched, c.qemuCovered, c.diverged, c.end], [10, 10, false, 'our trace ends after 10 guest instructions']);
});

test('a register difference fails at its instruction, naming both CS:EIP and the register', () => {
  const ours = run(10);
  ours[6].regs.ebx = 0x1234;
  const c = lockstep(ours, run(10));
  assert.deepEqual([c.matched, c.diverged], [6, true]);
  assert.match(c.end, /divergence at our guest instruction 6 .*registers differ/);
  assert.match(c.end, /bootscope 0000:00007c06/);
  assert.match(c.end, /qemu {6}0000:00007c06/);
  assert.match(c.end, /ebx {4}bootscope=00001234 qemu=00000000/);
});

test('a control-flow difference fails, and is not taken for an interrupt without an interrupt frame under IF', () => {
  const ours = run(10);
  ours[4] = rec(4, 0x7d00, { eax: 4 });
  const c = lockstep(ours, run(10));
  assert.deepEqual([c.matched, c.diverged], [4, true]);
  assert.match(c.end, /control flow differs\n {2}bootscope 0000:00007d00/);
  // With IF clear before it, even a change that looks like an interrupt frame is a divergence.
  const cli = (rs: TraceRecord[]) => rs.map((r) => ({ ...r, regs: { ...r.regs, eflags: 0x2 } }));
  const masked = cli(run(10));
  masked[4] = rec(4, 0x3a20, { eax: 4, eflags: 0x2, esp: 0x7c00 - 12 });
  assert.equal(lockstep(masked, cli(run(10))).diverged, true);
});

/** `rs` with a handler run (3 records at 0020:3A20.., IF clear, `frame` bytes pushed) before record `at`. */
function withHandler(rs: TraceRecord[], at: number, frame: number): TraceRecord[] {
  const handler = [0, 1, 2].map((k) => rec(100 + k, 0x3a20 + k, { eflags: 0x2, esp: 0x7c00 - frame }, 0x20));
  return [...rs.slice(0, at), ...handler, ...rs.slice(at)];
}

test("an interrupt handler run on one side only is skipped, and the comparison goes on after its return", () => {
  const q = lockstep(run(10), withHandler(run(10), 5, 12));
  assert.deepEqual([q.diverged, q.matched, q.qemuCovered, q.interrupts], [false, 10, 13, { bootscope: 0, qemu: 1 }]);
  const b = lockstep(withHandler(run(10), 5, 6), run(10));
  assert.deepEqual([b.diverged, b.matched, b.interrupts], [false, 10, { bootscope: 1, qemu: 0 }]);
  // After the return every register is compared again.
  const ours = run(10);
  ours[7].regs.edx = 1;
  assert.match(lockstep(ours, withHandler(run(10), 5, 12)).end, /divergence at our guest instruction 7 .*\n(.*\n){2} {2}edx/);
});

test('a handler that never returns ends the comparison there, and says so', () => {
  const qemu = withHandler(run(5), 5, 12);
  qemu.push(rec(200, 0x7c05, { eax: 5, esp: 0x7bfe }));
  const c = lockstep(run(10), qemu);
  assert.deepEqual([c.diverged, c.matched, c.qemuCovered], [false, 5, qemu.length]);
  assert.match(c.end, /QEMU's trace ends in the interrupt handler entered at record 100 \(0020:00003a20/);
});

test("QEMU's exact repeat of a record is dropped; any other extra record is a divergence", () => {
  const qemu = run(10);
  qemu.splice(3, 0, { ...qemu[2], source: 99 });
  const c = lockstep(run(10), qemu);
  assert.deepEqual([c.matched, c.qemuCovered, c.repeats, c.diverged], [10, 11, 1, false]);
  qemu[3] = rec(99, 0x7c02, { eax: 3 });
  assert.equal(lockstep(run(10), qemu).diverged, true);
});

test('an allowance excuses its registers after its instruction until both sides agree again, and nothing else', () => {
  const ours = run(10), qemu = run(10);
  for (const i of [3, 4, 5]) ours[i].regs.esi = 0xefc7, qemu[i].regs.esi = 0x601c;
  const allow = [{ lin: 0x7c02, regs: ['esi' as TraceReg], why: 'BIOS data' }];
  const c = lockstep(ours, qemu, allow);
  assert.equal(c.diverged, false);
  assert.deepEqual(c.allowed, ['esi after 0000:00007c02 lin=00007c02 (instruction 3): BIOS data']);
  // After they agreed at 6, a new ESI difference is a divergence again.
  ours[8].regs.esi = 1;
  assert.deepEqual([lockstep(ours, qemu, allow).matched, lockstep(ours, qemu, allow).diverged], [8, true]);
  // The same difference made by another instruction is not excused.
  assert.equal(lockstep(ours, qemu, [{ ...allow[0], lin: 0x7c01 }]).matched, 3);
});

test('guestOnly drops BIOS and IVT/BDA addresses and keeps protected-mode records without a linear address', () => {
  const bios = rec(0, 0xe987, {}, 0xf000);
  const pm = { ...rec(1, 0x8fa8, {}, 0x20), lin: null };
  const low = rec(2, 0x400);
  assert.deepEqual(guestOnly([bios, pm, low, rec(3, 0x7c00)]).map((r) => r.source), [1, 3]);
});
