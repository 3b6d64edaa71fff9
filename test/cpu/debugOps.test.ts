// The debug monitor's watched dispatch entries, derived from the opcode table's rows
// (emulator/debug/opWatch.ts), against the opcode lists the monitor kept by hand before: equal, or
// different only where the old list was wrong, each difference named here with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPU_MODELS, type CpuModel } from '../../emulator/cpu/cpu';
import { MAP0F, OP32 } from '../../emulator/cpu/exec/table';
import { ShadowCallStack } from '../../emulator/debug/callStack';
import { entriesWhere } from '../../emulator/debug/opWatch';
import { changesSystemState, systemStateOps } from '../../emulator/debug/systemState';
import { EventStops } from '../../emulator/debug/eventStops';
import { EFLAGS_VM } from '../../emulator/cpu/regs';
import { SYS_CR, SYS_SEG, SYS_TABLE } from '../../emulator/decode/sysWrites';
import { T_CALL, T_RET, type OpRow } from '../../emulator/decode/table';
import { Machine } from '../../emulator/machine';

const MODELS: readonly CpuModel[] = CPU_MODELS;
const both = (ops: readonly number[]) => ops.flatMap((o) => [o, o | OP32]);
const hex = (ops: Iterable<number>) => [...ops].sort((a, b) => a - b).map((o) => o.toString(16));
const opcodes = (model: CpuModel, pick: (r: OpRow) => boolean) =>
  new Set(entriesWhere(model, pick).map((e) => e.index & ~OP32));
/** Forms a watch covers at an entry, as ModRM.reg values (every form: 'all'). */
function regsAt(model: CpuModel, pick: (r: OpRow) => boolean, index: number): number[] | 'all' {
  const e = entriesWhere(model, pick).find((x) => x.index === index);
  assert.ok(e, `no entry ${index.toString(16)}`);
  if (!e.forms) return 'all';
  return [...new Set([...e.forms.keys()].filter((m) => e.forms![m] && m < 0xc0).map((m) => (m >> 3) & 7))];
}

// The lists as systemState.ts, callStack.ts and eventStops.ts had them.
const OLD_ONE_BYTE = [0x07, 0x17, 0x1f, 0x8e, 0x9a, 0x9d, 0xc4, 0xc5, 0xca, 0xcb, 0xcf, 0xea, 0xf4, 0xfa, 0xfb, 0xfc, 0xfd, 0xff];
const OLD_TWO_BYTE = [0x00, 0x01, 0x06, 0x22, 0x23, 0x30, 0x37, 0xa1, 0xa9, 0xb2, 0xb4, 0xb5].map((o) => MAP0F | o);
const OLD_8086 = [0x0f, 0xc8, 0xc9];

test('system-state entries: the old lists, plus the forms they missed, minus what a model lacks', () => {
  assert.deepEqual(hex(systemStateOps('8086')), hex(both([...OLD_ONE_BYTE, ...OLD_8086])));
  // The 80286 has no MOV CRn/DRn, WRMSR, FS/GS or LSS/LFS/LGS: #UD there, no state change.
  const only386 = [0x22, 0x23, 0x30, 0xa1, 0xa9, 0xb2, 0xb4, 0xb5].map((o) => MAP0F | o);
  assert.deepEqual(hex(systemStateOps('80286')), hex(both([...OLD_ONE_BYTE, ...OLD_TWO_BYTE].filter((o) => !only386.includes(o)))));
  // Missed before: SYSENTER/SYSEXIT load CS and SS, RSM all state, and the VMX forms (VMREAD,
  // VMWRITE, 0F C7 /6 /7) may change RFLAGS.
  const missed = [0x34, 0x35, 0xaa, 0x78, 0x79, 0xc7].map((o) => MAP0F | o);
  assert.deepEqual(hex(systemStateOps('80386')), hex(both([...OLD_ONE_BYTE, ...OLD_TWO_BYTE, ...missed])));
});

test('system-state entries watch only the forms that change state in a group', () => {
  const pick = changesSystemState;
  // FF: CALL /3 and JMP /5 far; INC, DEC, near CALL/JMP and PUSH stay compilable.
  assert.deepEqual(regsAt('80386', pick, 0xff), [3, 5]);
  // 0F 00: LLDT, LTR (SLDT, STR, VERR, VERW change none of it).
  assert.deepEqual(regsAt('80386', pick, MAP0F | 0x00), [2, 3]);
  assert.equal(regsAt('80386', pick, 0x8e), 'all');
});

test('call stack entries: CALL near and far, RET/RETF/IRET, the 8086 aliases included', () => {
  const call = (r: OpRow) => (r.tags & T_CALL) !== 0;
  const ret = (r: OpRow) => (r.tags & T_RET) !== 0;
  for (const model of MODELS) {
    assert.deepEqual(hex(opcodes(model, call)), hex([0x9a, 0xe8, 0xff]), model);
    const rets = [0xc2, 0xc3, 0xca, 0xcb, 0xcf, ...(model === '8086' ? [0xc0, 0xc1, 0xc8, 0xc9] : [])];
    assert.deepEqual(hex(opcodes(model, ret)), hex(rets), model);
    assert.deepEqual(regsAt(model, call, 0xff), [2, 3], model);
    const far = (r: OpRow) => call(r) && (r.sysWritten & SYS_SEG) !== 0;
    assert.deepEqual(hex(opcodes(model, far)), hex([0x9a, 0xff]), model);
    assert.deepEqual(regsAt(model, far, 0xff), [3], model);
  }
});

test('event-stop entries: MOV CR0, LMSW, IRET, plus the task switches and INT n that switch mode too', () => {
  const mode = (r: OpRow) => (r.sysWritten & SYS_CR) !== 0 || (r.flagsWritten & EFLAGS_VM) !== 0;
  const table = (r: OpRow) => (r.sysWritten & SYS_TABLE) !== 0;
  // Old: 0F 22, 0F 01, CF. Missed: far JMP/CALL (9A, EA, FF /3 /5) may switch to a vm86 task, INT n
  // (CC, CD, CE, F1) from vm86 leaves it, SYSENTER/SYSEXIT/RSM/VMX forms load RFLAGS, CLTS writes CR0;
  // POPF is listed as loading all of EFLAGS (the check compares VM and finds it unchanged).
  const added = [0x9a, 0x9d, 0xcc, 0xcd, 0xce, 0xea, 0xf1, 0xff, ...[0x06, 0x34, 0x35, 0x78, 0x79, 0xaa, 0xc7].map((o) => MAP0F | o)];
  assert.deepEqual(hex(opcodes('80386', mode)), hex([MAP0F | 0x22, MAP0F | 0x01, 0xcf, ...added]));
  assert.deepEqual(hex(opcodes('80386', table)), hex([MAP0F | 0x00, MAP0F | 0x01]));
  assert.deepEqual(regsAt('80386', table, MAP0F | 0x01), [2, 3]);
  assert.deepEqual(regsAt('80386', table, MAP0F | 0x00), [2, 3]);
});

test('watches put back exactly the entries they replaced (undone in reverse order)', () => {
  const m = new Machine({ cpu: '80386', memoryMB: 1 });
  const before = m.cpu.ops.slice();
  const stack = new ShadowCallStack();
  const events = new EventStops(m);
  stack.install(m.cpu);
  const withStack = m.cpu.ops.slice();
  assert.notEqual(withStack[0xcf], before[0xcf]);
  events.configure({ softInt: null, io: null, modeSwitch: true, tableLoad: true });
  assert.notEqual(m.cpu.ops[0xcf], withStack[0xcf]);
  events.configure({ softInt: null, io: null, modeSwitch: false, tableLoad: false });
  assert.equal(m.cpu.ops.findIndex((h, i) => h !== withStack[i]), -1, 'the call stack still watches');
  stack.uninstall();
  assert.equal(m.cpu.ops.findIndex((h, i) => h !== before[i]), -1);
});
