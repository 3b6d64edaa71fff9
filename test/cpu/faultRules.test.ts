// The fault rules (emulator/cpu/faultRules.ts): for each rule a fixture case (fixtures/faultRules.asm,
// assembled with -D<RULE>) breaks one thing about delivering INT 30h, or runs one instruction that
// faults, and the CPU's fault chain or cause must name that rule with the values in its explanation.
// Also: every rule of the table has a case, and no covered raise site is left without a rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../emulator/machine';
import { Bios } from '../../emulator/bios/bios';
import { Cpu, type CpuModel } from '../../emulator/cpu/cpu';
import type { BlockCache } from '../../emulator/cpu/jit/blocks';
import { loadCpu, saveCpu } from '../../emulator/record/cpuState';
import { FAULT_RULES } from '../../emulator/cpu/faultRules';
import { INT_EXC, INT_SOFT } from '../../emulator/cpu/faults';
import { explainCause, explainLink, explainThen, type FaultLink } from '../../emulator/cpu/faultChain';
import { formatChain, linkJson, raisedBy } from '../../emulator/debug/faultView';

const FIXTURE = join(__dirname, 'fixtures', 'faultRules.asm');

function assemble(define: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-faults-'));
  try {
    const out = join(dir, 'f.bin');
    execFileSync('nasm', ['-f', 'bin', `-D${define}`, '-o', out, FIXTURE]);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `hot`: compile every block on first sight (emulator/cpu/jit), so compiled code raises what it can; `bios`: install the BIOS. */
function run(define: string, cpu: CpuModel = '80386', fpu?: '387', opts: { hot?: boolean; bios?: boolean } = {}): { m: Machine; reason: string; chain: readonly FaultLink[] } {
  const m = new Machine({ cpu, memoryMB: 4, fpu });
  if (opts.bios) new Bios().install(m);
  if (opts.hot) (m.cpu.jit as BlockCache).hot = 1;
  const bin = assemble(define);
  m.loadBootSector(bin, 0);
  m.mem.poke(0x7c00, bin);
  const r = m.run({ maxInstructions: 20000 });
  return { m, reason: r.reason, chain: m.cpu.faultChain };
}

/** Rule id → [vector it raises, what the explanation must say, the fixture case and CPU when not the id and 80386]. */
const CASES: Record<string, [number, RegExp, string?, CpuModel?]> = {
  'IVT.STACK.LIMIT': [12, /delivering vector 16 \(INT 0x10\): pushing FLAGS, CS and IP needs the word at SS:0xffff, but stack segment 0x0000 ends at 0xffff \(SP 0x1\)/],
  'IVT.STACK.LIMIT.80286': [13, /pushing FLAGS, CS and IP needs the word at SS:0xffff/, 'IVT_STACK_LIMIT', '80286'],
  'IVT.ENTRY.LIMIT': [13, /delivering vector 16 \(INT 0x10\): IVT entry 16 needs bytes 0x40-0x43 but the IDTR limit is 0x3f/],
  'IDT.ENTRY.LIMIT': [13, /IDT entry 48 needs bytes 0x180-0x187 but the IDTR limit is 0x17f/],
  'IDT.GATE.TYPE': [13, /IDT entry 48 \(descriptor 0x[0-9a-f]{4}ec00_[0-9a-f]{8}\) is a 32-bit call gate \(type 12\)/],
  'IDT.GATE.DPL': [13, /software interrupt at CPL 3 through IDT entry 48 whose gate DPL is 0/],
  'IDT.GATE.NOT_PRESENT': [11, /IDT entry 48 \(descriptor 0x[0-9a-f]{4}6e00_[0-9a-f]{8}\) is not present/],
  'GATE.CS.NULL': [13, /null code selector 0x0000/],
  'GATE.CS.INDEX': [13, /selector 0x01f8 \(index 63, GDT, RPL 0\) needs bytes 0x1f8-0x1ff of the GDT, whose limit is 0x6f/],
  'GATE.CS.NOT_CODE': [13, /selector 0x0010 .* names a data segment/],
  'GATE.CS.DPL': [13, /code segment selector 0x0028 .* has DPL 3 > CPL 0/],
  'GATE.CS.NOT_PRESENT': [11, /code segment selector 0x0018 .* is not present/],
  'GATE.CS.LIMIT': [13, /handler offset 0x7[cd][0-9a-f]{2} is beyond the limit 0xff of code selector 0x0048/],
  'GATE.VM86.CS': [13, /interrupt from vm86 to code selector 0x0028 .* which is DPL 3/],
  'STACK.TSS.LIMIT': [10, /ring-0 SS:ESP is at TSS offset 0x9 but the TSS selector 0x0030 .* limit is 0x5/],
  'STACK.TSS.SS.NULL': [10, /the TSS gives the null selector 0x0000 .* as the ring-0 stack/],
  'STACK.TSS.SS.INDEX': [10, /ring-n stack selector 0x01f8 .* whose limit is 0x6f/],
  'STACK.TSS.SS.RPL': [10, /ring-0 stack selector 0x0013 .* has RPL 3, not 0/],
  'STACK.TSS.SS.DPL': [10, /ring-0 stack selector 0x0040 .* has DPL 3, not 0/],
  'STACK.TSS.SS.TYPE': [10, /ring-0 stack selector 0x0008 .* names a code segment/],
  'STACK.TSS.SS.NOT_PRESENT': [12, /ring-0 stack selector 0x0058 .* is not present/],
  'STACK.ROOM': [12, /pushing 12 bytes below ESP 0x4 leaves stack segment selector 0x0010/],
  'TASK.TSS.LDT': [13, /TSS selector 0x0034 .* has TI = 1/],
  'TASK.TSS.INDEX': [13, /TSS selector 0x01f8 .* whose limit is 0x6f/],
  'TASK.TSS.TYPE': [13, /TSS selector 0x0010 .* names a data segment, not an available TSS/],
  'TASK.TSS.NOT_PRESENT': [11, /TSS selector 0x0050 .* is not present/],
  'TASK.TSS.LIMIT': [10, /the new TSS selector 0x0038 .* has limit 0x20, below the minimum 0x67/],
  'TASK.TSS.CURRENT_LIMIT': [10, /the current TSS selector 0x0030 .* has limit 0x40, below the 0x5f/],
  'TASK.LDT.TYPE': [10, /the new task's LDT selector 0x0010 .* names a data segment; it must name an LDT/],
  'TASK.LDT.INDEX': [10, /the new task's LDT selector 0x01f8 .* whose limit is 0x6f/],
  'TASK.LDT.NOT_PRESENT': [10, /the new task's LDT selector 0x0060 .* is not present/],
  'TASK.CS.NULL': [10, /the new task's CS is the null selector 0x0000/],
  'TASK.CS.INDEX': [10, /the new task's CS selector 0x01f8 .* whose limit is 0x6f/],
  'TASK.CS.NOT_CODE': [10, /the new task's CS selector 0x0010 .* names a data segment/],
  'TASK.CS.DPL': [10, /the new task's CS selector 0x0028 .* is non-conforming with DPL 3 but RPL 0/],
  'TASK.CS.NOT_PRESENT': [11, /the new task's CS selector 0x0018 .* is not present/],
  'TASK.SS.NULL': [10, /the new task's SS is the null selector 0x0000/],
  'TASK.SS.INDEX': [10, /the new task's SS selector 0x01f8 .* whose limit is 0x6f/],
  'TASK.SS.TYPE': [10, /the new task's SS selector 0x0008 .* names a code segment/],
  'TASK.SS.PRIVILEGE': [10, /the new task's SS selector 0x0040 .* has RPL 0 and DPL 3 but the new CPL is 0/],
  'TASK.SS.NOT_PRESENT': [12, /the new task's SS selector 0x0058 .* is not present/],
  'TASK.DATA.INDEX': [10, /the new task's data segment selector 0x01f8 .* whose limit is 0x6f/],
  'TASK.DATA.TYPE': [10, /the new task's data segment selector 0x0030 .* names a busy 32-bit TSS \(type 11\)/],
  'TASK.DATA.NOT_PRESENT': [11, /the new task's data segment selector 0x0058 .* is not present/],
  'TASK.EIP.LIMIT': [13, /the new task's EIP 0x7[cd][0-9a-f]{2} is beyond the limit 0xff of its CS selector 0x0048/],
  'DELIVERY.PAGE_FAULT': [14, /the access to linear 0x00001180 \(CR2\) faulted/],
};

for (const [id, [vector, explanation, define, cpu]] of Object.entries(CASES)) {
  test(`${id}: the fixture's INT 30h delivery faults with this rule`, () => {
    const { chain } = run(define ?? id.replace(/\./g, '_'), cpu);
    assert.ok(chain.length >= 2, `no fault chain for ${id}`);
    const first = chain[0];
    assert.equal(first.rule?.id, id);
    assert.equal(first.raised?.vector, vector);
    assert.equal(first.rule?.vector, vector);
    assert.match(explainLink(first)!, explanation);
    // Every link whose delivery faulted names its rule.
    for (const l of chain.slice(0, -1)) assert.ok(l.rule, `link ${l.vector} of ${id} has no rule`);
  });
}

// The new task's data segments are checked DS, ES, FS, GS, each in full (Table 7-1's order; Bochs's):
// the fault names DS, and ES's descriptor is not marked accessed (test/pm/README.md).
test('TASK.DATA.*: a task switch checks DS before ES and leaves ES unloaded when DS faults', () => {
  for (const [define, accessed] of [['TASK_DATA_ORDER', -1], ['TASK_DATA_ORDER_ACCESSED', 0x92]] as const) {
    const { m, chain } = run(define);
    assert.deepEqual([chain[0].rule?.id, chain[0].raised?.vector, chain[0].raised?.errorCode], ['TASK.DATA.TYPE', 10, 0x30], define);
    if (accessed >= 0) assert.equal(m.mem.ram[m.cpu.gdtrBase + 0x68 + 5], accessed, 'ES (68h) was loaded: its accessed bit is set');
  }
});

/** Ordinary instructions' rules: rule id → [vector, what the explanation must say, the CPU when not the 80386]; the fixture case is the id. */
const ORDINARY: Record<string, [number, RegExp, CpuModel?]> = {
  'SEG.LOAD.SS.NULL': [13, /^loading SS with the null selector 0x0000/],
  'SEG.LOAD.INDEX': [13, /^loading DS: the new selector 0x01f8 \(index 63, GDT, RPL 0\) needs bytes 0x1f8-0x1ff of the GDT, whose limit is 0x6f$/],
  'SEG.LOAD.SS.RPL': [13, /^loading SS with selector 0x0013 .* at CPL 0: its RPL 3 is not the CPL$/],
  'SEG.LOAD.SS.TYPE': [13, /^loading SS with selector 0x0008 .*, which names a code segment \(descriptor 0x00cf9[ab]00_0000ffff\), not writable data$/],
  'SEG.LOAD.SS.DPL': [13, /^loading SS with selector 0x0040 .* at CPL 0: its segment has DPL 3/],
  'SEG.LOAD.SS.NOT_PRESENT': [12, /^loading SS with selector 0x0058 .*: its segment \(descriptor 0x00cf1200_0000ffff\) is not present \(P = 0\)$/],
  'SEG.LOAD.DATA.TYPE': [13, /^loading DS with selector 0x0030 .*, which names a busy 32-bit TSS \(type 11\)/],
  'SEG.LOAD.DATA.PRIVILEGE': [13, /^loading ES with selector 0x0013 .* at CPL 0: its segment has DPL 0 < max\(CPL 0, RPL 3\)$/],
  'SEG.LOAD.DATA.NOT_PRESENT': [11, /^loading FS with selector 0x0058 .*: its segment .* is not present/],
  'LLDT.TI': [13, /^LLDT selector 0x0064 \(index 12, LDT, RPL 0\): TI = 1/],
  'LLDT.INDEX': [13, /^LLDT's selector 0x01f8 .* needs bytes 0x1f8-0x1ff of the GDT, whose limit is 0x6f$/],
  'LLDT.TYPE': [13, /^LLDT selector 0x0010 .* names a data segment .*, not an LDT$/],
  'LLDT.NOT_PRESENT': [11, /^LLDT selector 0x0060 .*: the LDT \(descriptor 0x00000200_300000ff\) is not present/],
  'LTR.NULL': [13, /^LTR with the null selector 0x0000/],
  'LTR.TI': [13, /^LTR selector 0x003c .*: TI = 1/],
  'LTR.INDEX': [13, /^LTR's selector 0x01f8 .* whose limit is 0x6f$/],
  'LTR.TYPE': [13, /^LTR selector 0x0030 .* names a busy 32-bit TSS \(type 11\)/],
  'LTR.NOT_PRESENT': [11, /^LTR selector 0x0050 .*: the TSS .* is not present/],
  'SEG.ACCESS': [13, /^an access through ES \(selector 0x0068 .*, base 0x00000000, limit 0xfff, access rights 0x4093\) falls outside its limit/],
  'SEG.ACCESS.SS': [12, /^an access through SS \(selector 0x0068 .*limit 0xfff/],
  'PAGE.NOT_PRESENT': [14, /^a supervisor read of linear 0x00300000: its page-table entry 768 \(0x00000000\) under page-directory entry 0 \(0x00011023\) is not present \(P = 0\)$/],
  'PAGE.WRITE': [14, /^a supervisor write to linear 0x00300000: the page is read-only \(R\/W = 0 in page-table entry 768 \(0x00300001\) .*\) and CR0\.WP = 1$/],
  'PAGE.USER': [14, /^a user read of linear 0x00300000 at CPL 3: the page is a supervisor page \(U\/S = 0 in page-table entry 768 \(0x00300003\)/],
  'IO.TSS': [13, /^port 0x0080 at CPL 3 above IOPL: TR holds a 32-bit TSS with limit 0x40$/],
  'IO.BITMAP.LIMIT': [13, /^port 0x0080 at CPL 3 above IOPL: its bitmap bytes at TSS offset 0x78-0x79 are beyond the TSS limit 0x67$/],
  'FAR.NULL': [13, /^far JMP\/CALL to the null selector 0x0000/],
  'FAR.INDEX': [13, /^the far JMP\/CALL target selector 0x01f8 .* whose limit is 0x6f$/],
  'FAR.TYPE': [13, /^far JMP\/CALL to selector 0x0060 .*, which names an LDT \(type 2\)/],
  'FAR.CS.NOT_CODE': [13, /^far JMP\/CALL to selector 0x0010 .*, which names a data segment .*, not code$/],
  'FAR.CS.PRIVILEGE': [13, /^far JMP\/CALL at CPL 0 to selector 0x0028 .*: non-conforming code with DPL 3$/],
  'FAR.CS.NOT_PRESENT': [11, /^far JMP\/CALL to selector 0x0018 .*: its code segment .* is not present/],
  'FAR.EIP.LIMIT': [13, /^far transfer to selector 0x0048 .*: EIP 0x1000 is beyond its limit 0xff$/],
  'FAR.GATE.DPL': [13, /^far JMP\/CALL at CPL 0 through selector 0x0023 \(index 4, GDT, RPL 3\): its 32-bit call gate \(type 12\) has DPL 0$/],
  'FAR.GATE.NOT_PRESENT': [11, /^far JMP\/CALL through selector 0x0020 .*: a 32-bit call gate \(type 12\) .* that is not present/],
  'FAR.GATE.CS.NULL': [13, /^the call gate names the null code selector 0x0000/],
  'FAR.GATE.CS.INDEX': [13, /^the call gate's code selector 0x01f8 .* whose limit is 0x6f$/],
  'FAR.GATE.CS.NOT_CODE': [13, /^the call gate's selector 0x0010 .* names a data segment .*, not code$/],
  'FAR.GATE.CS.DPL': [13, /^far JMP\/CALL at CPL 0 through a call gate to selector 0x0028 .*: non-conforming code with DPL 3$/],
  'FAR.GATE.CS.NOT_PRESENT': [11, /^the call gate's code selector 0x0018 .* is not present/],
  'IRET.LINK.TI': [10, /^IRET with NT = 1: the back link selector 0x003c .* has TI = 1/],
  'IRET.LINK.INDEX': [10, /^IRET with NT = 1: the back link selector 0x01f8 .* whose limit is 0x6f$/],
  'IRET.LINK.TYPE': [10, /^IRET with NT = 1: the back link selector 0x0038 .* names an available 32-bit TSS \(type 9\) .*, not a busy TSS$/],
  'IRET.LINK.NOT_PRESENT': [11, /^IRET with NT = 1: the back link selector 0x0050 .*'s TSS .* is not present/],
  'RET.CS.NULL': [13, /^far RET\/IRET popped the null CS selector 0x0000/],
  'RET.CS.INDEX': [13, /^far RET\/IRET: the popped CS selector 0x01f8 .* whose limit is 0x6f$/],
  'RET.CS.RPL': [13, /^far RET\/IRET at CPL 3 popped CS selector 0x0008 .*: RPL 0 < CPL$/],
  'RET.CS.NOT_CODE': [13, /^far RET\/IRET popped CS selector 0x0010 .*, which names a data segment/],
  'RET.CS.DPL': [13, /^far RET\/IRET popped CS selector 0x0029 .*: non-conforming code with DPL 3 but RPL 1$/],
  'RET.CS.NOT_PRESENT': [11, /^far RET\/IRET popped CS selector 0x0018 .*: its code segment .* is not present/],
  'RET.SS.NULL': [13, /^far RET\/IRET to ring 3 popped the null SS selector 0x0000/],
  'RET.SS.INDEX': [13, /^far RET\/IRET: the popped SS selector 0x01fb .* whose limit is 0x6f$/],
  'RET.SS.TYPE': [13, /^far RET\/IRET to ring 3 popped SS selector 0x002b .*, which names a code segment/],
  'RET.SS.PRIVILEGE': [13, /^far RET\/IRET to ring 3 popped SS selector 0x0013 .*: RPL 3, DPL 0$/],
  'RET.SS.NOT_PRESENT': [12, /^far RET\/IRET to ring 3 popped SS selector 0x0043 .*: its segment .* is not present/],
  'IO.BITMAP.DENIED': [13, /^1-byte access to port 0x0080 at CPL 3 above IOPL: its bit in the bitmap \(TSS offset 0x30, bytes 0xffff\) is not clear$/],
  'FETCH.LIMIT': [13, /^the instruction at EIP 0xfe needs its byte at 0x100, beyond the limit 0xff of CS selector 0x0048 /],
  'TASK.TSS.CURRENT_INDEX': [13, /^the current task's TSS \(TR\) selector 0x0038 .* needs bytes 0x38-0x3f of the GDT, whose limit is 0x37$/],
  'NEAR.EIP.LIMIT': [13, /^near transfer to EIP 0x12345, beyond the limit 0xffff of CS selector 0x0000 /],
  'PRIV.CPL': [13, /^a privileged instruction at CPL 3; it needs CPL 0$/],
  'IOPL.CPL': [13, /^CLI\/STI at CPL 3 with IOPL 0 \(EFLAGS 0x00000002\): CPL > IOPL$/],
  'IOPL.VM86': [13, /^an IOPL-sensitive instruction .* in virtual-8086 mode with IOPL 0 \(EFLAGS 0x00020002\), not 3$/],
  'CR0.PG_NO_PE': [13, /^writing 0x80000000 to CR0 sets PG but clears PE$/],
  'CR0.NW_NO_CD': [13, /^writing 0x[0-9a-f]{8} to CR0 sets NW \(not write-through\) but clears CD \(cache disable\)$/],
  'CR4.RESERVED': [13, /^writing 0x00000024 to CR4 sets bits 0x00000020 this CPU model does not implement \(it has 0x0000001c\)$/],
  'AC.ALIGN': [17, /^a 4-byte access at linear 0x00004ffe, not a multiple of 4, at CPL 3 with CR0\.AM = 1 and EFLAGS\.AC = 1$/, '80486'],
  'RDTSC.TSD': [13, /^RDTSC at CPL 3 with CR4\.TSD = 1 \(CR4 0x00000004\)$/],
  'MSR.INDEX': [13, /^RDMSR\/WRMSR with ECX 0x00012345, an MSR this CPU does not have$/],
  'FXSAVE.ALIGN': [13, /^FXSAVE\/FXRSTOR of the area at linear 0x00003008, not a multiple of 16$/, 'pentium2'],
  'DIV.ZERO': [0, /^dividing 0x1234 by 0 \(32-bit operand\)$/],
  'DIV.OVERFLOW': [0, /^dividing 0x1000 by 0x2: the quotient does not fit in 8 bits$/],
  'BOUND.RANGE': [5, /^BOUND: index -5 is outside the bounds 0\.\.10$/],
  'UD.OPCODE': [6, /^the instruction at CS:EIP is not one this CPU has/],
  'UD.MODE': [6, /^a protected-mode-only instruction in real-address mode$/],
  'NM.ESCAPE': [7, /^an x87 instruction with CR0\.EM = 0 and CR0\.TS = 1 \(CR0 0x0000001[19]\)$/],
  'NM.WAIT': [7, /^WAIT with CR0\.MP = 1 and CR0\.TS = 1 \(CR0 0x0000001[bf]\)$/],
  'MF.PENDING': [16, /^an x87 exception is pending \(status word 0x[0-9a-f]{4}, ES = 1\) with CR0\.NE = 1 \(CR0 0x0000003[13]\)$/],
};

for (const [id, [vector, explanation, model]] of Object.entries(ORDINARY)) {
  test(`${id}: the fixture's instruction faults with this rule; the exception is delivered, its cause kept`, () => {
    const { m, chain } = run(id.replace(/\./g, '_'), model ?? '80386', id === 'MF.PENDING' || id === 'NM.WAIT' ? '387' : undefined);
    assert.equal(chain.length, 0, `the delivery of ${id}'s exception faulted`);
    const cause = m.cpu.faultCause;
    assert.equal(cause?.rule.id, id);
    assert.equal(cause.vector, vector);
    assert.equal(cause.rule.vector, vector);
    assert.equal(m.cpu.lastException, vector);
    assert.match(explainCause(cause), explanation);
  });
}

test('every rule has a fixture case (the double-fault matrix rules are checked by the chain tests)', () => {
  const matrix = new Set(['DF.CONTRIBUTORY', 'DF.PAGE_FAULT', 'SHUTDOWN']);
  const ids = FAULT_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  assert.deepEqual(ids.filter((i) => !matrix.has(i) && !(i in CASES) && !(i in ORDINARY)), []);
});

test('FETCH.LIMIT also names an instruction beyond the length limit (16 bytes with prefixes)', () => {
  const { m, chain } = run('FETCH_LENGTH');
  assert.equal(chain.length, 0);
  const cause = m.cpu.faultCause!;
  assert.deepEqual([cause.rule.id, cause.vector, cause.errorCode], ['FETCH.LIMIT', 13, 0]);
  assert.match(explainCause(cause), /^the instruction at EIP 0x7[cd][0-9a-f]{2} reaches 0x7[cd][0-9a-f]{2}: longer than this CPU's instruction length limit$/);
});

test('SEG.LOAD.INDEX also when a repeated load finds its entry beyond a shortened GDT (the load memo\'s re-read)', () => {
  const { m, chain } = run('SEG_LOAD_INDEX_MEMO');
  assert.equal(chain.length, 0);
  const cause = m.cpu.faultCause!;
  assert.deepEqual([cause?.rule.id, cause?.vector, cause?.errorCode], ['SEG.LOAD.INDEX', 13, 0x68]);
  assert.match(explainCause(cause), /^loading ES: the new selector 0x0068 .* needs bytes 0x68-0x6f of the GDT, whose limit is 0x67$/);
});

// IRET's exception list in the SDM says #NP for a not-present return SS, but its pseudo-code, RET's
// and Vol. 3 §6.15 (and the 80286/80386 manuals' return-check tables) say #SS: test/pm/README.md.
test('RET.SS.NOT_PRESENT also through IRETD to ring 3: #SS(SS selector), as for RETF', () => {
  const { m, chain } = run('IRET_SS_NOT_PRESENT');
  assert.equal(chain.length, 0);
  const cause = m.cpu.faultCause!;
  assert.deepEqual([cause.rule.id, cause.vector, cause.errorCode, m.cpu.lastException], ['RET.SS.NOT_PRESENT', 12, 0x40, 12]);
  assert.match(explainCause(cause), /^far RET\/IRET to ring 3 popped SS selector 0x0043 .*: its segment .* is not present/);
});

test('UD.OPCODE also for FF /7, a far CALL/JMP with a register operand and the BIOS trap opcode outside the ROM', () => {
  for (const define of ['UD_FF7', 'UD_FAR_REGISTER', 'UD_BIOS_TRAP']) {
    const { m } = run(define, '80386', undefined, { bios: define === 'UD_BIOS_TRAP' });
    assert.deepEqual([m.cpu.faultCause?.rule.id, m.cpu.lastException], ['UD.OPCODE', 6], define);
  }
});

test('INTO is delivered as a software interrupt, as INT3 and INT n are: the gate DPL rule applies to it', () => {
  const { m, chain } = run('INTO_GATE_DPL');
  assert.deepEqual(chain.map((l) => [l.vector, l.kind, l.rule?.id ?? null]), [[4, INT_SOFT, 'IDT.GATE.DPL'], [13, INT_EXC, null]]);
  assert.match(explainLink(chain[0])!, /^delivering vector 4 \(INT 0x04\): software interrupt at CPL 3 through IDT entry 4 whose gate DPL is 0 \(< CPL\)$/);
  assert.equal(m.cpu.lastException, 13);
});

test('JMP through a task gate to a TSS that is not present: the delivery path\'s TASK.TSS.NOT_PRESENT, outside delivery', () => {
  const { m, chain } = run('JMP_TASK_GATE');
  assert.equal(chain.length, 0);
  const cause = m.cpu.faultCause!;
  assert.deepEqual([cause.rule.id, cause.vector, cause.errorCode, cause.values.event], ['TASK.TSS.NOT_PRESENT', 11, 0x50, -1]);
  assert.match(explainCause(cause), /^the task gate's TSS selector 0x0050 .* is not present \(P = 0\)$/);
});

test('an ordinary fault that cannot be delivered: the chain\'s first link keeps why the instruction raised it', () => {
  const { reason, chain } = run('ORDINARY_TRIPLE');
  assert.equal(reason, 'triple-fault');
  assert.deepEqual(chain.map((l) => [l.vector, l.cause?.rule.id ?? null, l.rule?.id]),
    [[12, 'SEG.LOAD.SS.NOT_PRESENT', 'GATE.CS.NOT_PRESENT'], [8, null, 'GATE.CS.NOT_PRESENT']]);
  assert.match(formatChain(chain)[1], /^ {3}raised by SEG\.LOAD\.SS\.NOT_PRESENT \(SDM Vol\. 2 MOV\): loading SS with selector 0x0058/);
  assert.equal(linkJson(chain[0]).cause && (linkJson(chain[0]).cause as { rule: string }).rule, 'SEG.LOAD.SS.NOT_PRESENT');
});

test('a page fault while delivering a page fault is a double fault, and a fault during #DF a shutdown', () => {
  const { reason, chain } = run('DELIVERY_PAGE_FAULT');
  assert.equal(reason, 'triple-fault');
  assert.deepEqual(chain.map((l) => [l.vector, l.rule?.id, l.then?.id ?? null]),
    [[0x30, 'DELIVERY.PAGE_FAULT', null], [14, 'DELIVERY.PAGE_FAULT', 'DF.PAGE_FAULT'], [8, 'DELIVERY.PAGE_FAULT', 'SHUTDOWN']]);
  assert.match(explainThen(chain[1])!, /vector 14 \(#PF page fault\) was raised while delivering vector 14 .*#DF/);
  assert.match(explainThen(chain[2])!, /while delivering #DF: triple fault/);
});

test('triple fault: #DE → #NP → #DF → shutdown, each link with its rule, state intact at the DIV', () => {
  const { m, reason, chain } = run('TRIPLE');
  assert.equal(reason, 'triple-fault');
  assert.deepEqual(chain.map((l) => [l.vector, l.errorCode, l.rule?.id, l.then?.id ?? null]),
    [[0, -1, 'GATE.CS.NOT_PRESENT', 'DF.CONTRIBUTORY'], [8, 0, 'GATE.CS.NOT_PRESENT', 'SHUTDOWN']]);
  // #NP(18h | EXT): the selector of the handler's CS, raised by delivery.
  assert.deepEqual(chain.map((l) => l.raised), [{ vector: 11, errorCode: 0x19 }, { vector: 11, errorCode: 0x19 }]);
  assert.match(explainLink(chain[1])!, /^delivering vector 8 \(#DF double fault\): the handler's code segment selector 0x0018/);
  // Stopped before any reset: EIP still at the faulting DIV (F7 F1).
  assert.equal(m.cpu.sel[1], 0x08);
  assert.deepEqual([...m.mem.ram.subarray(m.cpu.eip, m.cpu.eip + 2)], [0xf7, 0xf1]);
  assert.equal(m.cpu.shutdown, true);
});

test('compiled blocks raise NEAR.EIP.LIMIT and FAR.EIP.LIMIT with the values the interpreter gives', () => {
  const cases: [string, string, RegExp][] = [
    ['NEAR_CALL_LIMIT', 'NEAR.EIP.LIMIT', /^near transfer to EIP 0x200, beyond the limit 0xff of CS selector 0x0048 /],
    ['FAR_EIP_LIMIT_SAME_CS', 'FAR.EIP.LIMIT', /^far transfer to selector 0x0048 .*: EIP 0x1000 is beyond its limit 0xff$/],
  ];
  for (const [define, id, explanation] of cases) {
    for (const hot of [false, true]) {
      const { m, chain } = run(define, '80386', undefined, { hot });
      assert.equal(chain.length, 0);
      const cause = m.cpu.faultCause;
      assert.deepEqual([cause?.rule.id, cause?.vector, cause?.errorCode, cause?.cs, cause?.eip], [id, 13, 0, 0x48, 0], `${define}, hot ${hot}`);
      assert.match(explainCause(cause!), explanation);
    }
  }
});

test('every fault names its rule: the CPU has no rule-less raise, and no emulator file (generated code included) calls one', () => {
  assert.equal('fault' in Cpu.prototype, false);
  const root = join(__dirname, '..', '..', 'emulator');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const f of ['cpu/cpu.ts', 'cpu/protected/common.ts', 'cpu/jit/emit.ts', 'bios/bios.ts']) assert.ok(files.includes(f), f);
  const src = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  for (const [f, text] of src) assert.doesNotMatch(text, /\.fault\(/, f);
  // FAULT is thrown, and its fields written, in Cpu.faultRule only (whose rule parameter is not nullable).
  assert.deepEqual([...src].filter(([, t]) => /throw FAULT\b|FAULT\.\w+ = /.test(t)).map(([f]) => f), ['cpu/cpu.ts']);
  const cpu = src.get('cpu/cpu.ts')!;
  const faultRule = cpu.slice(cpu.indexOf('  faultRule(\n    rule: FaultRule,'), cpu.indexOf('\n  }\n', cpu.indexOf('  faultRule(\n')));
  assert.equal(cpu.split('throw FAULT').length, 2);
  assert.equal(cpu.match(/FAULT\.\w+ = /g)!.length, faultRule.match(/FAULT\.\w+ = /g)!.length);
  assert.match(faultRule, /throw FAULT;$/);
});

test('an exception raised by a delivery fault names the rule that raised it (the exception stop\'s description)', () => {
  const { chain } = run('IDT_GATE_NOT_PRESENT');
  assert.equal(raisedBy(chain, 11)?.id, 'IDT.GATE.NOT_PRESENT');
  assert.equal(raisedBy(chain, 13), null);
  // #DF is not "raised by" the rule: the Table 6-5 step made it.
  assert.equal(raisedBy(run('TRIPLE').chain, 8), null);
});

test('a CPU snapshot keeps the fault chain: travelling back before the triple fault forgets it, forward again brings it back', () => {
  const m = new Machine({ cpu: '80386', memoryMB: 4 });
  const bin = assemble('TRIPLE');
  m.loadBootSector(bin, 0);
  m.mem.poke(0x7c00, bin);
  const before = saveCpu(m.cpu);
  assert.equal(m.run({ maxInstructions: 20000 }).reason, 'triple-fault');
  const chain = m.cpu.faultChain;
  const after = saveCpu(m.cpu);
  loadCpu(m.cpu, before);
  assert.equal(m.cpu.faultChain.length, 0);
  loadCpu(m.cpu, after);
  assert.equal(m.cpu.faultChain, chain);
});

test('real mode: a stack that cannot take the frame faults before any push (SP unchanged), then #DF, then shutdown', () => {
  const { m, reason, chain } = run('IVT_STACK_LIMIT');
  assert.equal(reason, 'triple-fault');
  assert.deepEqual(chain.map((l) => [l.vector, l.rule?.id, l.then?.id ?? null]),
    [[0x10, 'IVT.STACK.LIMIT', null], [12, 'IVT.STACK.LIMIT', 'DF.CONTRIBUTORY'], [8, 'IVT.STACK.LIMIT', 'SHUTDOWN']]);
  assert.equal(m.cpu.r16[8], 1);
});

test('a task gate that delivers an error code checks the new task\'s stack first (STACK.ROOM in the new task)', () => {
  const { reason, chain } = run('TASK_ERROR_CODE');
  assert.equal(reason, 'triple-fault');
  assert.deepEqual(chain.map((l) => [l.vector, l.errorCode, l.rule?.id, l.then?.id ?? null]),
    [[13, 0x1f8, 'STACK.ROOM', 'DF.CONTRIBUTORY'], [8, 0, 'STACK.ROOM', 'SHUTDOWN']]);
  assert.match(explainLink(chain[0])!, /^delivering vector 13 \(#GP general protection\): pushing 4 bytes below ESP 0x2 leaves stack segment selector 0x0068 .* \(limit 0xfff\)$/);
});
