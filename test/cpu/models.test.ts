// The 80486 and Pentium models against the 80386 default: what each decodes and executes (the
// 486's BSWAP/CMPXCHG/XADD/INVD/WBINVD/INVLPG/CPUID, the Pentium's CMPXCHG8B/RDTSC/RDMSR/WRMSR),
// their CPUID answers, CR0/CR4 bits, alignment checking (#AC) and the FPU each model has. SDM
// Vol. 2 instruction pages, Vol. 3 §2.5 and §6.15 Interrupt 17. Node-only test code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cpu, CpuModel } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS } from '../../emulator/cpu/dispatch';
import { runCpu, stepOne } from '../../emulator/cpu/execute';
import type { BlockCache } from '../../emulator/cpu/jit/blocks';
import { installFpu } from '../../emulator/cpu/exec/x87';
import { AC, FAULT, GP, PF, UD } from '../../emulator/cpu/faults';
import { X87 } from '../../emulator/cpu/fpu/x87';
import { setCpl } from '../../emulator/cpu/protected/common';
import {
  CR0_AM, CR0_WP, CS, DS, EAX, EBX, ECX, EDX, EFLAGS_AC, ESI, EFLAGS_CF, EFLAGS_OF, EFLAGS_SF, EFLAGS_ZF, ES, ESP, SS,
} from '../../emulator/cpu/regs';
import { Machine } from '../../emulator/machine';
import { CPU_MODEL_NAMES, MODEL_FPUS } from '../../protocol/launchConfig';
import { code, desc, faultOf, pagingCpu, pmCpu } from '../pm/pmSetup';

/** Runs `bytes` at CODE on a fresh protected-mode CPU of `model`; `setup` runs first. */
function run(model: CpuModel, bytes: number[], setup?: (cpu: Cpu) => void): { cpu: Cpu; fault: [number, number]; rule: string | null } {
  const cpu = pmCpu(model);
  setup?.(cpu);
  code(cpu, bytes);
  const fault = faultOf(() => stepOne(cpu));
  return { cpu, fault, rule: fault[0] >= 0 ? FAULT.rule?.id ?? null : null };
}

const NONE: [number, number] = [-1, -1];

/** The CPU at CPL 3 with flat DPL 3 code, stack and data (selectors 1Bh, 23h). */
function ring3(cpu: Cpu): void {
  desc(cpu.mem, 0x18, 0, 0xfffff, 0xfa, 0xc);
  desc(cpu.mem, 0x20, 0, 0xfffff, 0xf2, 0xc);
  cpu.setCache(CS, 0x1b, 0, 0xffffffff, 0xc0fb);
  for (const s of [SS, DS, ES]) cpu.setCache(s, 0x23, 0, 0xffffffff, 0xc0f3);
  setCpl(cpu, 3);
}

/** CPL 3 with CR0.AM and EFLAGS.AC set: alignment checking on (where the model has it). */
function checking(cpu: Cpu): void {
  ring3(cpu);
  cpu.cr0 |= CR0_AM;
  cpu.updateMode();
  cpu.setFlags(cpu.getFlags() | EFLAGS_AC);
}

test('one model list: every model has traits, an FPU choice and decodes', () => {
  assert.deepEqual(Object.keys(MODEL_TRAITS).sort(), [...CPU_MODEL_NAMES].sort());
  assert.deepEqual(Object.keys(MODEL_FPUS).sort(), [...CPU_MODEL_NAMES].sort());
});

test('80486 and Pentium: BSWAP, CMPXCHG and XADD with their flags', () => {
  for (const model of ['80486', 'pentium'] as const) {
    let r = run(model, [0x0f, 0xc8], (c) => { c.r32[EAX] = 0x11223344; }); // bswap eax
    assert.equal(r.cpu.r32[EAX], 0x44332211);
    // cmpxchg [0x3000], ecx: equal → the destination takes ECX, ZF = 1
    r = run(model, [0x0f, 0xb1, 0x0d, 0x00, 0x30, 0x00, 0x00], (c) => { c.mem.write32(0x3000, 5); c.r32[EAX] = 5; c.r32[ECX] = 9; });
    assert.equal(r.cpu.mem.read32(0x3000), 9);
    assert.ok(r.cpu.getFlags() & EFLAGS_ZF);
    // not equal → EAX takes the destination, flags as CMP EAX, dest (5 - 7: CF, SF)
    r = run(model, [0x0f, 0xb1, 0x0d, 0x00, 0x30, 0x00, 0x00], (c) => { c.mem.write32(0x3000, 7); c.r32[EAX] = 5; c.r32[ECX] = 9; });
    assert.equal(r.cpu.r32[EAX], 7);
    assert.equal(r.cpu.mem.read32(0x3000), 7);
    assert.equal(r.cpu.getFlags() & (EFLAGS_ZF | EFLAGS_CF | EFLAGS_SF), EFLAGS_CF | EFLAGS_SF);
    // xadd ecx, edx (register form): ECX = sum, EDX = old ECX; 7FFFFFFFh + 1 overflows
    r = run(model, [0x0f, 0xc1, 0xd1], (c) => { c.r32[ECX] = 0x7fffffff; c.r32[EDX] = 1; });
    assert.equal(r.cpu.r32[ECX], 0x80000000);
    assert.equal(r.cpu.r32[EDX], 0x7fffffff);
    assert.equal(r.cpu.getFlags() & (EFLAGS_OF | EFLAGS_SF | EFLAGS_ZF), EFLAGS_OF | EFLAGS_SF);
  }
});

test('INVD, WBINVD and INVLPG are privileged: #GP(0) at CPL 3 (PRIV.CPL)', () => {
  for (const bytes of [[0x0f, 0x08], [0x0f, 0x09], [0x0f, 0x01, 0x38]]) {
    assert.deepEqual(run('80486', bytes).fault, NONE);
    const r = run('80486', bytes, ring3);
    assert.deepEqual(r.fault, [GP, 0]);
    assert.equal(r.rule, 'PRIV.CPL');
  }
});

test('80486: no Pentium or P6 instructions (#UD: UD.OPCODE); the 80386 default core has RDTSC and CMOVcc', () => {
  const later = [[0x0f, 0x31], [0x0f, 0x32], [0x0f, 0x30], [0x0f, 0xc7, 0x0e, 0x00, 0x30], [0x0f, 0x44, 0xc1]];
  for (const bytes of later) {
    const r = run('80486', bytes);
    assert.deepEqual(r.fault, [UD, -1], bytes.join(' '));
    assert.equal(r.rule, 'UD.OPCODE');
  }
  assert.deepEqual(run('pentium', [0x0f, 0x44, 0xc1]).fault, [UD, -1]); // CMOVcc: P6
  assert.deepEqual(run('80386', [0x0f, 0x44, 0xc1]).fault, NONE);
  assert.deepEqual(run('80386', [0x0f, 0xc7, 0x0e, 0x00, 0x30]).fault, [UD, -1]); // no CX8 on the default core
});

test('CPUID: GenuineIntel, the model\'s signature and only its implemented features; EFLAGS.ID toggles', () => {
  const leaf = (model: CpuModel, n: number, fpu: boolean) => run(model, [0x0f, 0xa2], (c) => {
    c.r32[EAX] = n;
    if (fpu) c.fpu = new X87();
  }).cpu.r32;
  const vendor = leaf('80486', 0, false);
  assert.equal(vendor[EAX], 1);
  assert.equal(Buffer.from(new Uint32Array([vendor[EBX], vendor[EDX], vendor[ECX]]).buffer).toString('latin1'), 'GenuineIntel');
  assert.deepEqual([leaf('80486', 1, true)[EAX], leaf('80486', 1, true)[EDX]], [0x480, 0x1]);
  assert.equal(leaf('80486', 1, false)[EDX], 0); // a 486SX
  // Pentium: FPU, PSE, TSC, MSR, CX8; no VME/PVI/DE/MCE/APIC, which are not implemented.
  assert.deepEqual([leaf('pentium', 1, true)[EAX], leaf('pentium', 1, true)[EDX]], [0x52c, 0x139]);
  // Above the highest leaf (1), basic or extended, leaf 1 answers (SDM Vol. 2A CPUID), as under QEMU.
  for (const n of [2, 0x40000100, 0x80000000]) {
    const above = leaf('pentium', n, true);
    assert.deepEqual([above[EAX], above[EBX], above[ECX], above[EDX]], [0x52c, 0, 0, 0x139], n.toString(16));
  }
  // pushfd; xor dword [esp], 200000h; popfd; pushfd; pop eax: ID flips
  for (const model of ['80486', 'pentium'] as const) {
    const cpu = pmCpu(model);
    code(cpu, [0x9c, 0x81, 0x34, 0x24, 0x00, 0x00, 0x20, 0x00, 0x9d, 0x9c, 0x58]);
    const before = cpu.getFlags();
    for (let i = 0; i < 5; i++) stepOne(cpu);
    assert.equal((cpu.r32[EAX] ^ before) & 0x200000, 0x200000, model);
  }
});

test('CR0.ET reads 1 on the 80486 and Pentium; CR4 takes only the implemented bits (CR4.RESERVED)', () => {
  // xor eax, eax; mov cr0, eax would clear PE: write PE only
  const r0 = run('80486', [0x0f, 0x22, 0xc0], (c) => { c.r32[EAX] = 1; });
  assert.equal(r0.cpu.cr0 & 0x10, 0x10);
  assert.equal(run('80386', [0x0f, 0x22, 0xc0], (c) => { c.r32[EAX] = 1; }).cpu.cr0 & 0x10, 0);
  const movCr4 = (model: CpuModel, v: number) => run(model, [0x0f, 0x22, 0xe0], (c) => { c.r32[EAX] = v; });
  assert.equal(movCr4('pentium', 0x14).cpu.cr4, 0x14); // PSE | TSD
  const de = movCr4('pentium', 0x08); // DE: its I/O breakpoints are not implemented
  assert.deepEqual(de.fault, [GP, 0]);
  assert.equal(de.rule, 'CR4.RESERVED');
  assert.deepEqual(movCr4('80486', 0x10).fault, [GP, 0]); // no 4 MiB pages on a 486
  assert.deepEqual(movCr4('80386', 0x18).fault, NONE);
});

test('DR4 and DR5 are DR6 and DR7 with CR4.DE clear, #UD with it set (the 80386 model takes CR4.DE)', () => {
  const r = run('pentium', [0x0f, 0x21, 0xe0]); // mov eax, dr4
  assert.deepEqual(r.fault, NONE);
  assert.equal(r.cpu.r32[EAX], r.cpu.dr[6]);
  const w = run('80486', [0x0f, 0x23, 0xe8], (c) => { c.r32[EAX] = 0x401; }); // mov dr5, eax
  assert.equal(w.cpu.dr[7], 0x401);
  const de = run('80386', [0x0f, 0x21, 0xe0], (c) => { c.cr4 = 0x08; });
  assert.deepEqual(de.fault, [UD, -1]);
});

test('Pentium: CMPXCHG8B compares EDX:EAX, writes ECX:EBX or loads the operand; ZF only', () => {
  const bytes = [0x0f, 0xc7, 0x0d, 0x00, 0x30, 0x00, 0x00]; // cmpxchg8b [0x3000]
  const setup = (lo: number, hi: number) => (c: Cpu) => {
    c.mem.write32(0x3000, lo); c.mem.write32(0x3004, hi);
    c.r32[EAX] = 1; c.r32[EDX] = 2; c.r32[EBX] = 0xaaaa; c.r32[ECX] = 0xbbbb;
    c.setFlags(c.getFlags() | EFLAGS_CF | EFLAGS_SF);
  };
  let r = run('pentium', bytes, setup(1, 2));
  assert.deepEqual([r.cpu.mem.read32(0x3000), r.cpu.mem.read32(0x3004)], [0xaaaa, 0xbbbb]);
  assert.equal(r.cpu.getFlags() & (EFLAGS_ZF | EFLAGS_CF | EFLAGS_SF), EFLAGS_ZF | EFLAGS_CF | EFLAGS_SF);
  r = run('pentium', bytes, setup(1, 3));
  assert.deepEqual([r.cpu.r32[EAX], r.cpu.r32[EDX]], [1, 3]);
  assert.deepEqual([r.cpu.mem.read32(0x3000), r.cpu.mem.read32(0x3004)], [1, 3]);
  assert.equal(r.cpu.getFlags() & (EFLAGS_ZF | EFLAGS_CF), EFLAGS_CF);
  // The register form and the other group 9 forms are #UD; LOCK is allowed on the memory form.
  assert.deepEqual(run('pentium', [0x0f, 0xc7, 0xc8]).fault, [UD, -1]);
  assert.deepEqual(run('pentium', [0x0f, 0xc7, 0x35, 0x00, 0x30, 0x00, 0x00]).fault, [UD, -1]);
  assert.deepEqual(run('pentium', [0xf0, ...bytes], setup(1, 2)).fault, NONE);
  // Past the segment limit with the high dword: #GP(0) and memory unchanged.
  r = run('pentium', [0x0f, 0xc7, 0x0d, 0xfc, 0xff, 0x00, 0x00], (c) => {
    setup(1, 2)(c);
    c.mem.write32(0xfffc, 1);
    c.setCache(DS, 0x10, 0, 0xffff, 0x4093);
  });
  assert.deepEqual(r.fault, [GP, 0]);
  assert.equal(r.cpu.mem.read32(0xfffc), 1);
});

test('Pentium: CMPXCHG8B faults as a whole: a page fault on the high dword\'s write leaves the low one unwritten', () => {
  const cpu = pagingCpu('pentium');
  cpu.cr0 |= CR0_WP; // supervisor writes honour the read-only page at 51000h
  cpu.mem.write32(0x50ffc, 1);
  cpu.mem.write32(0x51000, 2);
  cpu.r32[EAX] = 1; cpu.r32[EDX] = 2; cpu.r32[EBX] = 0xaaaa; cpu.r32[ECX] = 0xbbbb;
  code(cpu, [0x0f, 0xc7, 0x0d, 0xfc, 0x0f, 0x05, 0x00]); // cmpxchg8b [0x50ffc]
  assert.deepEqual(faultOf(() => stepOne(cpu)), [PF, 3]); // a write to a present read-only page
  assert.equal(cpu.cr2, 0x51000);
  assert.deepEqual([cpu.mem.read32(0x50ffc), cpu.mem.read32(0x51000)], [1, 2]);
});

test('Pentium: RDTSC counts instructions, WRMSR 10h sets it, other MSRs are #GP(0) (MSR.INDEX)', () => {
  const r = run('pentium', [0x0f, 0x31], (c) => { c.icount = 0x1234; });
  assert.deepEqual([r.cpu.r32[EAX], r.cpu.r32[EDX]], [0x1235, 0]); // counted before it runs
  const w = run('pentium', [0x0f, 0x30, 0x0f, 0x32], (c) => { c.r32[ECX] = 0x10; c.r32[EAX] = 0; c.r32[EDX] = 5; });
  stepOne(w.cpu);
  assert.equal(w.cpu.r32[EDX], 5);
  for (const msr of [0x1b, 0x3a, 0x174, 0x277]) {
    const bad = run('pentium', [0x0f, 0x32], (c) => { c.r32[ECX] = msr; });
    assert.deepEqual(bad.fault, [GP, 0]);
    assert.equal(bad.rule, 'MSR.INDEX');
  }
  assert.deepEqual(run('80386', [0x0f, 0x32], (c) => { c.r32[ECX] = 0x1b; }).fault, NONE);
  // CR4.TSD: RDTSC at CPL 3 is #GP(0).
  assert.deepEqual(run('pentium', [0x0f, 0x31], (c) => { c.cr4 = 4; ring3(c); }).fault, [GP, 0]);
});

test('alignment check: #AC(0) for a misaligned access at CPL 3 with CR0.AM and EFLAGS.AC (AC.ALIGN)', () => {
  const movEax = (addr: number) => [0x8b, 0x05, addr & 0xff, (addr >>> 8) & 0xff, 0, 0]; // mov eax, [addr]
  for (const model of ['80486', 'pentium'] as const) {
    const r = run(model, movEax(0x3002), checking);
    assert.deepEqual(r.fault, [AC, 0], model);
    assert.equal(r.rule, 'AC.ALIGN');
    assert.equal(FAULT.offset, 0x3002);
    assert.deepEqual(run(model, movEax(0x3004), checking).fault, NONE);
    // A word at an odd address, a store, a push on a misaligned stack.
    assert.deepEqual(run(model, [0x66, 0x89, 0x05, 0x01, 0x30, 0, 0], checking).fault, [AC, 0]);
    assert.deepEqual(run(model, [0x50], (c) => { checking(c); c.r32[ESP] = 0x8002; }).fault, [AC, 0]);
    // Bytes never; AC clear, AM clear or CPL 0: no check.
    assert.deepEqual(run(model, [0x8a, 0x05, 0x01, 0x30, 0, 0], checking).fault, NONE);
    assert.deepEqual(run(model, movEax(0x3002), (c) => { checking(c); c.setFlags(c.getFlags() & ~EFLAGS_AC); }).fault, NONE);
    assert.deepEqual(run(model, movEax(0x3002), (c) => { checking(c); c.cr0 &= ~CR0_AM; c.updateMode(); }).fault, NONE);
    assert.deepEqual(run(model, movEax(0x3002), (c) => { checking(c); setCpl(c, 0); }).fault, NONE);
    // Segment checks come first: past the limit is #GP, not #AC.
    assert.deepEqual(run(model, movEax(0x3002), (c) => { checking(c); c.setCache(DS, 0x23, 0, 0x2fff, 0x40f3); }).fault, [GP, 0]);
  }
  // The 80386 has no alignment checking.
  assert.deepEqual(run('80386', movEax(0x3002), checking).fault, NONE);
  // CMPXCHG8B's operand is aligned to 8.
  assert.deepEqual(run('pentium', [0x0f, 0xc7, 0x0d, 0x04, 0x30, 0, 0], checking).fault, [AC, 0]);
  // x87 operands: a double at 4 mod 8 faults; a store faults before the unit pops.
  const x87 = (c: Cpu) => { c.fpu = new X87(); c.fpu.reset(); installFpu(c); checking(c); };
  assert.deepEqual(run('pentium', [0xdd, 0x05, 0x04, 0x30, 0, 0], x87).fault, [AC, 0]); // fld qword [0x3004]
  assert.deepEqual(run('pentium', [0xdd, 0x05, 0x08, 0x30, 0, 0], x87).fault, NONE);
  const st = run('pentium', [0xd9, 0x1d, 0x02, 0x30, 0, 0], (c) => { x87(c); c.fpu!.top = 7; }); // fstp dword [0x3002]
  assert.deepEqual(st.fault, [AC, 0]);
  assert.equal(st.cpu.fpu!.top, 7);
});

test('alignment checking holds in compiled blocks: their inline accesses take the checked path', () => {
  const cpu = pmCpu('pentium');
  checking(cpu);
  const jit = cpu.jit as BlockCache;
  jit.hot = 1;
  // mov ecx, 100; l: mov eax, [esi]; dec ecx; jnz l; mov eax, [0x3002]; hlt
  code(cpu, [0xb9, 100, 0, 0, 0, 0x8b, 0x06, 0x49, 0x75, 0xfb, 0x8b, 0x05, 0x02, 0x30, 0, 0, 0xf4]);
  cpu.r32[ESI] = 0x3000;
  const vectors: number[] = [];
  cpu.onInterrupt = (_c, v) => { vectors.push(v); };
  runCpu(cpu, 1000);
  assert.ok(jit.compiled > 0);
  assert.equal(vectors[0], AC);
  assert.equal(cpu.r32[ECX], 0);
});

test('the FPU each model has: 80486 and Pentium integrated, 486SX without; mismatches refused', () => {
  assert.ok(new Machine({ cpu: '80486', memoryMB: 1 }).cpu.fpu);
  assert.ok(new Machine({ cpu: 'pentium', memoryMB: 1 }).cpu.fpu);
  assert.equal(new Machine({ cpu: '80486', fpu: 'none', memoryMB: 1 }).cpu.fpu, null);
  assert.equal(new Machine({ cpu: '80386', memoryMB: 1 }).cpu.fpu, null);
  assert.ok(new Machine({ cpu: '80386', fpu: '387', memoryMB: 1 }).cpu.fpu);
  assert.throws(() => new Machine({ cpu: 'pentium', fpu: 'none', memoryMB: 1 }), /pentium model takes fpu integrated, not none/);
  assert.throws(() => new Machine({ cpu: '80386', fpu: 'integrated', memoryMB: 1 }), /80386 model takes fpu none or 387/);
  assert.throws(() => new Machine({ cpu: '80486', fpu: '387', memoryMB: 1 }), /80486 model takes fpu integrated or none/);
});

test('power-on, as firmware sees it at the reset vector: EDX the signature, CR0 with CD and NW from the 486 on (SDM Table 9-1)', () => {
  const at = (cpu: CpuModel) => {
    const m = new Machine({ cpu, memoryMB: 1 });
    m.cpu.powerOn();
    const c = m.cpu;
    return [c.r32[EDX], c.cr0 >>> 0, c.sel[CS], c.base[CS] >>> 0, c.eip];
  };
  assert.deepEqual(at('pentium'), [0x52c, 0x60000010, 0xf000, 0xffff0000, 0xfff0]);
  assert.deepEqual(at('80486'), [0x480, 0x60000010, 0xf000, 0xffff0000, 0xfff0]);
  assert.deepEqual(at('80386'), [0x400, 0x10, 0xf000, 0xffff0000, 0xfff0]);
  assert.deepEqual(at('80286'), [0, 0xfff0, 0xf000, 0xffff0000, 0xfff0]);
});
