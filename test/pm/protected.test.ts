// Unit tests for protected mode where QEMU cannot be the reference (it checks no data-segment
// limits, allows null-selector data accesses and LTR 0) or cannot run the model (80286), and for
// the double-fault / triple-fault rules and the paging TLB. Node-only test code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCpu, stepOne } from '../../emulator/cpu/execute';
import { ATTN_IRQ } from '../../emulator/cpu/cpu';
import { GP, NP, PF, SS_FAULT, TS } from '../../emulator/cpu/faults';
import { INT_HW, interrupt } from '../../emulator/cpu/interrupts';
import { peekPhysical, peekTranslate } from '../../emulator/cpu/protected/paging';
import { PF_WATCH_R } from '../../emulator/memory/pageFlags';
import { AR_UNUSABLE, CR0_PG, CR0_WP, CR4_PSE, CS, DS, EAX, ES, ESP, SS } from '../../emulator/cpu/regs';
import { CODE, GDT, IDT, code, desc, faultOf, gate, pagingCpu, pmCpu } from './pmSetup';

test('triple fault sets shutdown and never throws', () => {
  const cpu = pmCpu();
  cpu.idtrLimit = 0;
  code(cpu, [0xcc]);
  assert.doesNotThrow(() => runCpu(cpu, 10));
  assert.equal(cpu.shutdown, true);
  assert.equal(cpu.halted, true);
});

test('a #NP while delivering #GP becomes #DF with error code 0', () => {
  const cpu = pmCpu();
  gate(cpu.mem, IDT + 8 * 8, 0x20000, 0x08, 0x8e);
  gate(cpu.mem, IDT + 13 * 8, 0x20000, 0x08, 0x0e); // not present
  cpu.mem.poke(0x20000, new Uint8Array([0xf4]));
  cpu.r32[EAX] = 0x1f8;
  code(cpu, [0x8e, 0xd8]); // mov ds, ax → #GP(1F8)
  runCpu(cpu, 10);
  assert.equal(cpu.eip, 0x20001);
  const esp = cpu.r32[ESP];
  assert.equal(cpu.mem.read32(esp), 0); // #DF error code
  assert.equal(cpu.mem.read32(esp + 4), CODE); // faulting instruction
  assert.equal(cpu.lastException, 8);
});

test('segment limits, null selectors and LTR 0 fault as the SDM says', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x18, 0x10000, 0xfff, 0x92, 0x4);
  cpu.setCache(ES, 0x18, 0x10000, 0xfff, 0x4093);
  code(cpu, [0x26, 0xa1, 0xfe, 0x0f, 0x00, 0x00]); // mov eax, [es:0xffe]
  assert.deepEqual(faultOf(() => stepOne(cpu)), [GP, 0]);
  cpu.eip = CODE;
  cpu.setCache(SS, 0x18, 0x10000, 0xfff, 0x4093);
  cpu.r32[ESP] = 2;
  code(cpu, [0x50]); // push eax below offset 0
  assert.deepEqual(faultOf(() => stepOne(cpu)), [SS_FAULT, 0]);
  cpu.eip = CODE;
  cpu.setCache(SS, 0x10, 0, 0xffffffff, 0xc093);
  cpu.setCache(DS, 0, 0, 0, AR_UNUSABLE);
  code(cpu, [0xa1, 0x34, 0x12, 0x00, 0x00]); // mov eax, [0x1234] through a null DS
  assert.deepEqual(faultOf(() => stepOne(cpu)), [GP, 0]);
  cpu.eip = CODE;
  cpu.r32[EAX] = 0;
  code(cpu, [0x0f, 0x00, 0xd8]); // ltr ax with a null selector
  assert.deepEqual(faultOf(() => stepOne(cpu)), [GP, 0]);
});

test('an expand-down segment with limit FFFFFFFFh has no valid offset (found by the Bochs fuzzer)', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x18, 0x100000, 0xfffff, 0x96, 0xc);
  cpu.r32[EAX] = 0x18;
  code(cpu, [0x8e, 0xc0, 0x26, 0xa1, 0x00, 0x00, 0x00, 0x00]); // mov es, ax; mov eax, [es:0]
  stepOne(cpu);
  assert.deepEqual(faultOf(() => stepOne(cpu)), [GP, 0]);
  cpu.eip = CODE;
  cpu.r32[EAX] = 0x18;
  code(cpu, [0x8e, 0xd0, 0x50]); // mov ss, ax; push eax
  stepOne(cpu);
  assert.deepEqual(faultOf(() => stepOne(cpu)), [SS_FAULT, 0]);
});

test('VERR, VERW, LAR and LSL of an LDT selector with a null LDTR clear ZF and never fault', () => {
  for (const insn of [[0x0f, 0x00, 0xe0], [0x0f, 0x00, 0xe8], [0x0f, 0x02, 0xc0], [0x0f, 0x03, 0xc0]]) {
    const cpu = pmCpu();
    cpu.r32[EAX] = 0x0c;
    cpu.setFlags(cpu.flags | 0x40);
    code(cpu, insn); // verr ax / verw ax / lar eax, eax / lsl eax, eax
    assert.deepEqual(faultOf(() => stepOne(cpu)), [-1, -1], insn.join(' '));
    assert.equal(cpu.flags & 0x40, 0);
    assert.equal(cpu.r32[EAX], 0x0c);
  }
});

test('hardware interrupts set EXT in selector error codes', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x28, 0, 0xfffff, 0x1a, 0xc); // code, not present
  gate(cpu.mem, IDT + 0x20 * 8, 0x1000, 0x28, 0x8e);
  assert.deepEqual(faultOf(() => interrupt(cpu, 0x20, INT_HW, -1)), [NP, 0x29]);
  cpu.idtrLimit = 0xff;
  assert.deepEqual(faultOf(() => interrupt(cpu, 0x20, INT_HW, -1)), [GP, 0x20 * 8 + 3]);
});

test('80286: 386 call gates and TSS types are invalid, 286 call gates work', () => {
  const cpu = pmCpu('80286');
  gate(cpu.mem, GDT + 0x18, 0x3000, 0x08, 0x8c); // 386 call gate
  gate(cpu.mem, GDT + 0x20, 0x3000, 0x08, 0x84); // 286 call gate
  desc(cpu.mem, 0x28, 0x5000, 0x67, 0x89, 0); // 386 TSS
  cpu.eip = 0x9000;
  cpu.mem.poke(0x9000, new Uint8Array([0x9a, 0x00, 0x00, 0x18, 0x00])); // call 0018:0000
  assert.deepEqual(faultOf(() => stepOne(cpu)), [GP, 0x18]);
  cpu.eip = 0x9000;
  cpu.mem.poke(0x9000, new Uint8Array([0x9a, 0x00, 0x00, 0x20, 0x00])); // call 0020:0000
  stepOne(cpu);
  assert.equal(cpu.eip, 0x3000);
  assert.equal(cpu.sel[CS], 0x08);
  assert.equal(cpu.mem.read16(cpu.r32[ESP] & 0xffff), 0x9005);
  cpu.eip = 0;
  cpu.mem.poke(0, new Uint8Array([0x0f, 0x00, 0xd8])); // ltr ax
  cpu.r32[EAX] = 0x28;
  assert.deepEqual(faultOf(() => stepOne(cpu)), [GP, 0x28]);
});

test('paging: TLB keeps a translation until INVLPG or a CR3 load', () => {
  const cpu = pagingCpu();
  cpu.mem.write32(0x40000, 0x11111111);
  cpu.mem.write32(0x41000, 0x22222222);
  assert.equal(cpu.readLin32(0x40000), 0x11111111);
  assert.equal(cpu.mem.read32(0x31000 + 0x40 * 4) & 0x60, 0x20); // accessed
  cpu.mem.write32(0x31000 + 0x40 * 4, 0x41000 | 7);
  assert.equal(cpu.readLin32(0x40000), 0x11111111); // stale until invalidated
  cpu.tlbInvalidate(cpu, 0x40000);
  assert.equal(cpu.readLin32(0x40000), 0x22222222);
  cpu.writeLin32(0x40004, 5);
  assert.equal(cpu.mem.read32(0x31000 + 0x40 * 4) & 0x60, 0x60); // dirty
  cpu.mem.write32(0x31000 + 0x40 * 4, 0x40000 | 7);
  cpu.tlbFlush(cpu);
  assert.equal(cpu.readLin32(0x40000), 0x11111111);
  assert.equal(cpu.winLen, 0);
});

test('paging: U/S, R/W, CR0.WP, not present, supervisor accesses and 4 MiB pages', () => {
  const cpu = pagingCpu();
  cpu.cpl = 3;
  assert.deepEqual(faultOf(() => cpu.readLin32(0x50000)), [PF, 5]);
  assert.equal(cpu.cr2, 0x50000);
  assert.deepEqual(faultOf(() => cpu.writeLin32(0x51010, 1)), [PF, 7]);
  assert.deepEqual(faultOf(() => cpu.writeLin8(0x52000, 1)), [PF, 6]);
  assert.equal(cpu.cr2, 0x52000);
  assert.doesNotThrow(() => cpu.readLin32Sys(0x50000));
  cpu.cpl = 0;
  assert.doesNotThrow(() => cpu.writeLin32(0x51000, 1));
  cpu.cr0 |= CR0_WP;
  cpu.tlbFlush(cpu);
  assert.deepEqual(faultOf(() => cpu.writeLin32(0x51000, 1)), [PF, 3]);
  cpu.mem.write32(0x7000, 0xabcdef);
  // Without PSE the PS bit is ignored: the PDE points at a page table at 0.
  cpu.cr4 |= CR4_PSE;
  cpu.tlbFlush(cpu);
  assert.equal(cpu.readLin32(0x407000), 0xabcdef);
  assert.equal(cpu.mem.read32(0x30004) & 0x20, 0x20);
});

test('a bad SS in the new TSS raises #TS(SS) after the switch, in the new task (SDM §7.3, Table 7-1)', () => {
  const cpu = pmCpu();
  const m = cpu.mem;
  desc(m, 0x18, 0x3000, 0x67, 0x8b, 0); // TSS A (busy, current)
  desc(m, 0x20, 0x3100, 0x67, 0x89, 0); // TSS D
  cpu.setCache(7, 0x18, 0x3000, 0x67, 0x8b);
  m.write32(0x3100 + 0x20, 0x4000); // EIP
  m.write32(0x3100 + 0x24, 0x2);
  m.write32(0x3100 + 0x38, 0x5400); // ESP
  m.write16(0x3100 + 0x4c, 0x08);
  m.write16(0x3100 + 0x50, 0x13); // SS with RPL 3 at CPL 0
  m.write16(0x3100 + 0x54, 0x10);
  code(cpu, [0xea, 0, 0, 0, 0, 0x20, 0]); // jmp 0020:00000000
  assert.deepEqual(faultOf(() => stepOne(cpu)), [TS, 0x10]);
  // The switch has committed: the fault belongs to the new task, whose SS is left unusable.
  assert.equal(cpu.sel[7], 0x20);
  assert.equal(cpu.eip, 0x4000);
  assert.equal(cpu.prevEip, 0x4000);
  assert.equal(cpu.ar[SS] & AR_UNUSABLE, AR_UNUSABLE);
  assert.equal(m.read8(GDT + 0x18 + 5), 0x89); // old TSS no longer busy (JMP)
  assert.equal(m.read8(GDT + 0x20 + 5), 0x8b); // new TSS busy
  assert.equal(m.read32(0x3000 + 0x20), CODE + 7); // old task resumes after the JMP
});

test('a not-present inner stack from the TSS is #SS(SS selector) (SDM "CALL"; QEMU raises #TS)', () => {
  const cpu = pmCpu();
  const m = cpu.mem;
  desc(m, 0x18, 0, 0xfffff, 0xfa, 0xc); // code DPL 3
  desc(m, 0x20, 0, 0xfffff, 0xf2, 0xc); // data DPL 3
  desc(m, 0x28, 0x3000, 0x67, 0x8b, 0); // TSS (busy)
  desc(m, 0x30, 0, 0xfffff, 0x12, 0xc); // ring-0 data, not present
  gate(m, GDT + 0x38, 0x4000, 0x08, 0xec); // call gate DPL 3 → ring 0
  cpu.setCache(7, 0x28, 0x3000, 0x67, 0x8b);
  m.write32(0x3004, 0x7000);
  m.write32(0x3008, 0x30);
  cpu.setCache(CS, 0x1b, 0, 0xffffffff, 0xc0fb);
  cpu.setCache(SS, 0x23, 0, 0xffffffff, 0xc0f3);
  cpu.cpl = 3;
  code(cpu, [0x9a, 0, 0, 0, 0, 0x3b, 0]); // call 003B:00000000
  assert.deepEqual(faultOf(() => stepOne(cpu)), [SS_FAULT, 0x30]);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.sel[SS], 0x23);
});

test('peekTranslate walks the tables without touching A/D bits, CR2 or the TLB', () => {
  const cpu = pagingCpu();
  const before = cpu.mem.read32(0x31000 + 0x40 * 4);
  assert.equal(peekTranslate(cpu, 0x40123), 0x40123);
  assert.equal(peekTranslate(cpu, 0x52000), -1);
  assert.equal(cpu.mem.read32(0x31000 + 0x40 * 4), before);
  assert.equal(cpu.cr2, 0);
  cpu.cr4 |= CR4_PSE;
  assert.equal(peekTranslate(cpu, 0x407000), 0x7000);
});

test('peekTranslate is the debugger\'s: no watchpoint sees its table reads, and A20 masks as the CPU\'s accesses', () => {
  const cpu = pagingCpu();
  const m = cpu.mem;
  let reads = 0;
  m.observer = { onRead: () => reads++, onWrite: () => {} };
  m.pageFlags[0x30] |= PF_WATCH_R; // the page directory and the page table watched for reads
  m.pageFlags[0x31] |= PF_WATCH_R;
  m.write32(0x31000 + 0x7f * 4, 0x107000 | 7); // linear 7F000h → frame 107000h
  assert.equal(peekTranslate(cpu, 0x7f123), 0x107123);
  assert.equal(peekPhysical(cpu, 0x7f123), 0x107123);
  assert.equal(reads, 0);
  m.setA20(false);
  assert.equal(peekTranslate(cpu, 0x7f123), 0x7123);
  assert.equal(peekPhysical(cpu, 0x7f123), 0x7123);
  cpu.cr0 &= ~CR0_PG;
  cpu.updateMode();
  assert.equal(peekTranslate(cpu, 0x107123), 0x7123);
});

test('an exception whose delivery faults sets EXT (SDM §6.13; QEMU leaves it clear)', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x28, 0, 0xfffff, 0x1a, 0xc); // code, not present
  gate(cpu.mem, IDT + 6 * 8, 0x1000, 0x28, 0x8e); // #UD → not-present segment
  gate(cpu.mem, IDT + 11 * 8, 0x20000, 0x08, 0x8e); // #NP handler
  cpu.mem.poke(0x20000, new Uint8Array([0xf4]));
  code(cpu, [0x0f, 0x0b]); // ud2
  runCpu(cpu, 5);
  assert.equal(cpu.eip, 0x20001);
  assert.equal(cpu.mem.read32(cpu.r32[ESP]), 0x29);
  assert.equal(cpu.mem.read32(cpu.r32[ESP] + 4), CODE);
});

// A REP string instruction late in a burst may only run to the burst's end (cpu.repEnd), then yields.
test('runCpu never runs past its budget with a REP late in the burst', () => {
  const cpu = pmCpu();
  code(cpu, [0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xf3, 0xaa]); // 10 × NOP, REP STOSB
  cpu.r32[1] = 100; // ECX
  cpu.r32[7] = 0x40000; // EDI
  const before = cpu.icount;
  runCpu(cpu, 20);
  assert.equal(cpu.icount - before, 20);
  assert.equal(cpu.r32[1], 90); // 10 iterations done, the REP resumes at its prefix
});

test('hardware interrupts skip the gate DPL check and leave vm86 through the ring-0 stack', () => {
  const cpu = pmCpu();
  const m = cpu.mem;
  desc(m, 0x28, 0x3000, 0x67, 0x8b, 0);
  cpu.setCache(7, 0x28, 0x3000, 0x67, 0x8b);
  m.write32(0x3004, 0x7000); // ESP0
  m.write32(0x3008, 0x10); // SS0
  gate(m, IDT + 0x20 * 8, 0x20000, 0x08, 0x8e); // DPL 0 interrupt gate
  m.poke(0x20000, new Uint8Array([0xf4]));
  // vm86 code at 1000:0000 (linear 10000h): HLT would be #GP, so spin on JMP $.
  m.poke(0x10000, new Uint8Array([0xeb, 0xfe]));
  cpu.setFlags(0x20202); // VM, IF
  for (const s of [CS, SS, DS, ES]) cpu.setCache(s, 0x1000, 0x10000, 0xffff, 0xf3);
  cpu.setCache(4, 0x2222, 0x22220, 0xffff, 0xf3); // FS
  cpu.setCache(5, 0x3333, 0x33330, 0xffff, 0xf3); // GS
  cpu.cpl = 3;
  cpu.updateMode();
  cpu.eip = 0;
  cpu.r32[ESP] = 0x800;
  cpu.irqPending = true;
  cpu.acknowledgeIrq = () => { cpu.irqPending = false; return 0x20; };
  cpu.attn |= ATTN_IRQ;
  runCpu(cpu, 10);
  assert.equal(cpu.eip, 0x20001);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.flags & 0x20200, 0); // VM and IF cleared
  const frame = [0, 4, 8, 12, 16, 20, 24, 28, 32].map((o) => m.read32(0x7000 - 36 + o));
  // EIP CS EFLAGS ESP SS ES DS FS GS
  assert.deepEqual(frame.map((v, i) => (i === 2 ? v & 0x20200 : v)), [0, 0x1000, 0x20200, 0x800, 0x1000, 0x1000, 0x1000, 0x2222, 0x3333]);
  for (const s of [DS, ES, 4, 5]) assert.equal(cpu.ar[s] & AR_UNUSABLE, AR_UNUSABLE);
});
