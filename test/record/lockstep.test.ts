// The lock-step comparison itself (emulator/record/lockstep.ts), on hand-made records: it must stop
// at a register or control-flow difference and say where, skip by rule only what it is told to,
// and excuse only what it is told to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGuest, Lockstep, lockstepArrays, TRACE_REGS, type TraceReg, type TraceRecord } from '../../emulator/record/lockstep';
import { undefinedFlags } from '../../emulator/record/undefinedFlags';
import { disasmRecord } from '../../emulator/record/divergenceReport';

function rec(source: number, eip: number, regs: Partial<Record<TraceReg, number>> = {}, cs = 0): TraceRecord {
  const all = Object.fromEntries(TRACE_REGS.map((k) => [k, 0])) as Record<TraceReg, number>;
  Object.assign(all, { esp: 0x7c00, eflags: 0x202, cr0: 0x10 }, regs);
  return { source, cs, eip, lin: (cs << 4) + eip, code32: null, regs: all };
}

/** A straight run 7C00, 7C01, ... with EAX counting up. */
const run = (n: number) => Array.from({ length: n }, (_, i) => rec(i, 0x7c00 + i, { eax: i }));

test('identical traces agree to the end', () => {
  const c = lockstepArrays(run(10), run(10));
  assert.deepEqual([c.matched, c.qemuCovered, c.divergence, c.end], [10, 10, null, 'our run ends after 10 guest instructions']);
  assert.equal(lockstepArrays(run(10), run(8)).end, "QEMU's records end after 8");
});

test('a register difference stops at its instruction, naming the register and keeping the agreeing ones before', () => {
  const ours = run(10);
  ours[6].regs.ebx = 0x1234;
  const c = lockstepArrays(ours, run(10), { history: 3 });
  const d = c.divergence!;
  assert.deepEqual([c.matched, d.index, d.controlFlow, d.registers, d.ours.eip, d.qemu.eip], [6, 6, false, ['ebx'], 0x7c06, 0x7c06]);
  assert.deepEqual(d.history.map((r) => r.eip), [0x7c03, 0x7c04, 0x7c05]);
});

test('a control-flow difference stops, and is not taken for an interrupt without an interrupt frame under IF', () => {
  const ours = run(10);
  ours[4] = rec(4, 0x7d00, { eax: 4 });
  const c = lockstepArrays(ours, run(10));
  assert.deepEqual([c.matched, c.divergence?.controlFlow, c.divergence?.ours.eip, c.divergence?.qemu.eip], [4, true, 0x7d00, 0x7c04]);
  // With IF clear before it, even a change that looks like an interrupt frame is a divergence.
  const cli = (rs: TraceRecord[]) => rs.map((r) => ({ ...r, regs: { ...r.regs, eflags: 0x2 } }));
  const masked = cli(run(10));
  masked[4] = rec(4, 0x3a20, { eax: 4, eflags: 0x2, esp: 0x7c00 - 12 });
  assert.notEqual(lockstepArrays(masked, cli(run(10))).divergence, null);
});

/** `rs` with a handler run (3 records at 0020:3A20.., IF clear, `frame` bytes pushed) before record `at`. */
function withHandler(rs: TraceRecord[], at: number, frame: number): TraceRecord[] {
  const handler = [0, 1, 2].map((k) => rec(100 + k, 0x3a20 + k, { eflags: 0x2, esp: 0x7c00 - frame }, 0x20));
  return [...rs.slice(0, at), ...handler, ...rs.slice(at)];
}

test('an interrupt handler run on one side only is skipped (a resync), and the comparison goes on after its return', () => {
  const q = lockstepArrays(run(10), withHandler(run(10), 5, 12));
  assert.deepEqual([q.divergence, q.matched, q.qemuCovered, q.interrupts], [null, 10, 13, { bootscope: 0, qemu: 1 }]);
  const b = lockstepArrays(withHandler(run(10), 5, 6), run(10));
  assert.deepEqual([b.divergence, b.matched, b.interrupts], [null, 10, { bootscope: 1, qemu: 0 }]);
  // After the return every register is compared again.
  const ours = run(10);
  ours[7].regs.edx = 1;
  const d = lockstepArrays(ours, withHandler(run(10), 5, 12)).divergence!;
  assert.deepEqual([d.index, d.registers], [7, ['edx']]);
});

test('an interrupt our run says it delivered outside the guest range is a handler run, whatever its stack', () => {
  // Taken in code above 1 MiB (no records on either side) with ESP 0x60 below the last common
  // record: no frame relates the stacks, only our run's word that it delivered an interrupt.
  const entered = (flag: boolean) => {
    const ours = withHandler(run(10), 5, 0x60);
    if (flag) ours[5].interrupted = true;
    return lockstepArrays(ours, run(10));
  };
  const c = entered(true);
  assert.deepEqual([c.divergence, c.matched, c.interrupts, c.resyncs.map((r) => [r.side, r.records])],
    [null, 10, { bootscope: 1, qemu: 0 }, [['bootscope', 3]]]);
  assert.equal(entered(false).divergence?.controlFlow, true);
});

test('a handler that never returns ends the comparison there, and says so', () => {
  const qemu = withHandler(run(5), 5, 12);
  qemu.push(rec(200, 0x7c05, { eax: 5, esp: 0x7bfe }));
  const c = lockstepArrays(run(10), qemu);
  assert.deepEqual([c.divergence, c.matched, c.qemuCovered], [null, 5, qemu.length]);
  assert.match(c.end!, /QEMU's records end in the interrupt handler entered at record 100 \(0020:00003a20/);
  const limited = lockstepArrays(run(10), qemu, { handlerLimit: 2 });
  assert.match(limited.end!, /QEMU did not return from the interrupt handler entered at record 100 .* within 2 records/);
});

test("QEMU's exact repeat of a record and its REP-end record under -icount are dropped; any other extra record is a divergence", () => {
  const qemu = run(10);
  qemu.splice(3, 0, { ...qemu[2], source: 99 });
  const c = lockstepArrays(run(10), qemu);
  assert.deepEqual([c.matched, c.qemuCovered, c.repeats, c.divergence], [10, 11, 1, null]);
  qemu[3] = rec(99, 0x7c02, { eax: 3 });
  assert.notEqual(lockstepArrays(run(10), qemu).divergence, null);
  // A REP at 7C02 with CX 2, 1; QEMU logs it once more with CX 0 before it leaves.
  const rep = (rs: TraceRecord[], extra: boolean) => [
    ...rs.slice(0, 2), rec(2, 0x7c02, { ecx: 2 }), rec(3, 0x7c02, { ecx: 1 }), ...(extra ? [rec(4, 0x7c02, { ecx: 0 })] : []), rec(5, 0x7c04),
  ];
  const r = lockstepArrays(rep(run(2), false), rep(run(2), true));
  assert.deepEqual([r.matched, r.repEnds, r.divergence], [5, 1, null]);
  // A record at the REP with a count left is a divergence (our REP stopped early).
  const early = rep(run(2), false);
  early.splice(3, 1);
  const d = lockstepArrays(early, rep(run(2), false)).divergence;
  assert.deepEqual([d?.index, d?.controlFlow, d?.qemu.regs.ecx], [3, true, 1]);
});

test('an allowance excuses its registers after its instruction until both sides agree again, and nothing else', () => {
  const ours = run(10), qemu = run(10);
  for (const i of [3, 4, 5]) ours[i].regs.esi = 0xefc7, qemu[i].regs.esi = 0x601c;
  const allowances = [{ lin: 0x7c02, regs: ['esi' as TraceReg], why: 'BIOS data' }];
  const c = lockstepArrays(ours, qemu, { allowances });
  assert.equal(c.divergence, null);
  assert.deepEqual(c.allowed, ['esi after 0000:00007c02 lin=00007c02 (instruction 3): BIOS data']);
  // After they agreed at 6, a new ESI difference is a divergence again.
  ours[8].regs.esi = 1;
  assert.deepEqual([lockstepArrays(ours, qemu, { allowances }).matched, lockstepArrays(ours, qemu, { allowances }).divergence?.index], [8, 8]);
  // The same difference made by another instruction is not excused.
  assert.equal(lockstepArrays(ours, qemu, { allowances: [{ ...allowances[0], lin: 0x7c01 }] }).matched, 3);
});

test('EFLAGS bits the instruction before left undefined are excused until they agree again; others are not', () => {
  const AF = 0x10, CF = 0x1;
  const ours = run(8), qemu = run(8);
  for (const i of [3, 4]) ours[i].regs.eflags |= AF;
  const undef = (last: TraceRecord) => (last.eip === 0x7c02 ? AF : 0);
  const c = lockstepArrays(ours, qemu, { undefinedFlags: undef });
  assert.equal(c.divergence, null);
  assert.deepEqual([c.allowed, c.undefinedFlags], [[], { count: 1, first: 'EFLAGS 00000010 after 0000:00007c02 lin=00007c02 (instruction 3)' }]);
  // CF was not left undefined there.
  ours[3].regs.eflags |= CF;
  const d = lockstepArrays(ours, qemu, { undefinedFlags: undef }).divergence!;
  assert.deepEqual([d.index, d.registers, d.flagsExcused], [3, ['eflags'], AF]);
  // AF differing again at 6, after agreeing at 5, is not excused.
  ours[3].regs.eflags &= ~CF;
  ours[6].regs.eflags |= AF;
  assert.equal(lockstepArrays(ours, qemu, { undefinedFlags: undef }).divergence?.index, 6);
});

test('undefinedFlags reads the SDM masks from the instruction bytes', () => {
  const at = (bytes: number[], bits: 16 | 32 = 16) => undefinedFlags((i) => bytes[i] ?? 0, bits);
  assert.equal(at([0x21, 0xc3]), 0x10); // and bx, ax: AF
  assert.equal(at([0xf7, 0xe3]), 0xd4); // mul bx: SF ZF AF PF
  assert.equal(at([0xd1, 0xe0]), 0x10); // shl ax, 1: AF (OF defined for a count of 1)
  assert.equal(at([0xc1, 0xe0, 0x04]), 0x810); // shl ax, 4: AF OF
  assert.equal(at([0x0f, 0xbc, 0xc3], 32), 0x895); // bsf eax, ebx: CF OF SF AF PF
  assert.equal(at([0x01, 0xd8]), 0); // add ax, bx: all defined
});

test('the source is pulled only as QEMU records come, and a run that ends is reported', () => {
  let pulled = 0;
  const ours = run(3);
  const l = new Lockstep(() => (pulled < ours.length ? ours[pulled++] : null));
  assert.equal(pulled, 0);
  assert.equal(l.push(rec(0, 0x7c00)), true);
  assert.equal(pulled, 1);
  for (const r of run(3).slice(1)) l.push(r);
  assert.equal(l.push(rec(3, 0x7c03)), false);
  assert.equal(l.end, 'our run ends after 3 guest instructions');
});

test('isGuest keeps 0x500..0x9FFFF and records without a linear address', () => {
  assert.deepEqual([0x4ff, 0x500, 0x9ffff, 0xa0000, 0xfe987, null].map(isGuest), [false, true, true, false, false, true]);
});

test("a report lists what either side ran, whatever the model: CPUID and RDTSC are not '(bad)'", () => {
  const at = (code32: boolean, bytes: number[]) => disasmRecord({ ...rec(0, 0x7c00), code32 }, Uint8Array.from(bytes));
  assert.deepEqual([at(false, [0x0f, 0xa2]), at(true, [0x0f, 0x31]), at(true, [0x0f, 0xc7, 0x0e])], ['cpuid', 'rdtsc', 'cmpxchg8b qword [esi]']);
});

/**
 * A call from 7C02 (return address pushed: ESP 7BFE) into a loop run `n` times at 7D00, returning to
 * 7C03 with ESP 7C00 again; `eax` counts the loop (the data it walked), then the caller goes on.
 */
function callerWithLoop(n: number, after = 3): TraceRecord[] {
  const rs = [rec(0, 0x7c00), rec(1, 0x7c01), rec(2, 0x7c02)];
  for (let i = 0; i < n; i++) rs.push(rec(rs.length, 0x7d00 + (i % 2), { esp: 0x7bfe, eax: i }));
  rs.push(rec(rs.length, 0x7d02, { esp: 0x7bfe, eax: 0 })); // ret
  for (let i = 0; i < after; i++) rs.push(rec(rs.length, 0x7c03 + i));
  return rs;
}

test('returnResync: a run of different lengths is skipped on both sides to the return they share, and counted', () => {
  const ours = callerWithLoop(4), qemu = callerWithLoop(40);
  const strict = lockstepArrays(ours, qemu);
  assert.equal(strict.divergence?.index, 7, 'without the rule: our loop returns where QEMU\'s goes on');
  const c = lockstepArrays(ours, qemu, { returnResync: true });
  assert.equal(c.divergence, null);
  assert.equal(c.end, 'our run ends after 10 guest instructions');
  assert.equal(c.returns.length, 1);
  const r = c.returns[0];
  assert.deepEqual([r.index, r.from.eip, r.to?.eip, r.ours, r.qemu], [7, 0x7d02, 0x7c03, 1, 37], 'our RET; QEMU\'s 36 more iterations and RET');
  assert.equal(c.matched, 7 + 3, 'the caller is compared again from the return');
});

test('returnResync: ECX and EDX left by the callee are excused at the common return until they agree; EBX is not', () => {
  const leftover = (reg: 'ecx' | 'ebx') => callerWithLoop(4).map((r, i, all) => (i >= all.length - 3 && i < all.length - 1 ? { ...r, regs: { ...r.regs, [reg]: 5 } } : r));
  const c = lockstepArrays(leftover('ecx'), callerWithLoop(40), { returnResync: true });
  assert.equal(c.divergence, null);
  assert.deepEqual(c.returns.map((r) => r.scratch), [['ecx']]);
  assert.equal(c.matched, 10, 'every record after the return compared, ECX excused in two');
  const d = lockstepArrays(leftover('ebx'), callerWithLoop(40), { returnResync: true });
  assert.equal(d.returns.length, 2, 'EBX differing at the return is a new divergence (skipped again by the rule)');
});

test('returnResync: where the sides return to different places, or one never returns, that is said', () => {
  const ours = callerWithLoop(4).map((r) => (r.eip === 0x7c03 ? { ...r, eip: 0x7c13 } : r));
  const c = lockstepArrays(ours, callerWithLoop(40), { returnResync: true });
  assert.equal(c.divergence, null);
  assert.equal(c.end, "QEMU's records end while both sides are skipped to a common return from 0000:00007d02 lin=00007d02");
  const never = lockstepArrays(callerWithLoop(40).slice(0, 30), callerWithLoop(4), { returnResync: true });
  assert.equal(never.end, 'our run ends while both sides are skipped to a common return from 0000:00007d00 lin=00007d00');
});

test('the busy drive rule: QEMU\'s polls of a status that reads busy there only are skipped, our clock moved on by them', () => {
  // 7C01 reads the status (DX=1F7h), 7C02 tests BSY, 7C03 jumps back while it is set.
  const at = (eip: number, eax = 0) => rec(0, eip, { eax, edx: 0x1f7 });
  const ours = [at(0x7c00), at(0x7c01), at(0x7c02, 0x58), at(0x7c03, 0x58), at(0x7c04, 0x58)];
  const qemu = [at(0x7c00), at(0x7c01), at(0x7c02, 0xd0), at(0x7c03, 0xd0), at(0x7c01, 0xd0), at(0x7c02, 0x58), at(0x7c03, 0x58), at(0x7c04, 0x58)];
  const passed: number[] = [];
  const busyDrive = { statusRead: (r: TraceRecord) => r.eip === 0x7c01, passTime: (n: number) => passed.push(n) };
  const c = lockstepArrays(ours, qemu, { busyDrive });
  assert.deepEqual([c.divergence, c.matched, c.qemuCovered, c.busyPolls, c.busy.map((p) => [p.index, p.records]), passed], [null, 5, 8, 1, [[2, 3]], [3]]);
  // Without the rule, where ours is the busy one, or where more than BSY differs: a divergence.
  assert.deepEqual(lockstepArrays(ours, qemu).divergence?.registers, ['eax']);
  assert.notEqual(lockstepArrays(qemu, ours, { busyDrive }).divergence, null);
  const other = qemu.map((r) => ({ ...r, regs: { ...r.regs } }));
  other[2].regs.eax = 0x1d0;
  assert.notEqual(lockstepArrays(ours, other, { busyDrive }).divergence, null);
  assert.deepEqual(passed, [3], 'no time passed for those');
  // What QEMU's loop did between its reads may leave the scratch registers otherwise: excused until they agree, AL compared.
  for (const r of ours) r.regs.eax |= 0x7cb8700;
  const clobbered = qemu.map((r, i) => ({ ...r, regs: { ...r.regs, eax: i < 5 ? r.regs.eax | 0x7cb8700 : r.regs.eax } }));
  clobbered[5].regs.ecx = 0x875d;
  clobbered[5].regs.eflags = 0x246;
  const s = lockstepArrays(ours, clobbered, { busyDrive });
  assert.deepEqual([s.divergence, s.matched, s.busy[0].scratch], [null, 5, ['eax', 'ecx', 'eflags']]);
  clobbered[5].regs.eax = 0x50;
  assert.notEqual(lockstepArrays(ours, clobbered, { busyDrive }).divergence, null, 'a status that differs is not excused');
});
