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
import { AC, FAULT, GP, NM, PF, UD } from '../../emulator/cpu/faults';
import { X87 } from '../../emulator/cpu/fpu/x87';
import { qemuCpuidQuirks } from '../../host/qemu';
import { setCpl } from '../../emulator/cpu/protected/common';
import {
  CR0_AM, CR0_EM, CR0_TS, CR0_WP, CS, DS, EAX, EBX, ECX, EDX, EFLAGS_AC, ESI, EFLAGS_CF, EFLAGS_OF, EFLAGS_SF, EFLAGS_ZF, ES, ESP, SS,
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
  for (const n of [2, 0x40000100, 0x80000000]) {
    const above = leaf('pentium', n, true);
    assert.deepEqual([above[EAX], above[EBX], above[ECX], above[EDX]], [0, 0, 0, 0], n.toString(16));
  }
  // QEMU's answers where they differ, for a comparison from reset: leaf 1's for any above it but its hypervisor leaves, CLFLUSH in EBX.
  const asQemu = (n: number) => [...run('pentium', [0x0f, 0xa2], (c) => {
    c.r32[EAX] = n;
    c.fpu = new X87();
    c.cpuidQuirks = qemuCpuidQuirks;
  }).cpu.r32.subarray(0, 4)];
  assert.deepEqual(asQemu(0x40000100), [0x52c, 0, 0x139, 0x800], 'EAX, ECX, EDX, EBX');
  assert.deepEqual(asQemu(0x40000000), [0, 0, 0, 0]);
  assert.deepEqual(asQemu(0)[0], 1);
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

test('the FPU each model has: 80486, Pentium and Pentium II integrated, 486SX without; mismatches refused', () => {
  assert.ok(new Machine({ cpu: '80486', memoryMB: 1 }).cpu.fpu);
  assert.ok(new Machine({ cpu: 'pentium', memoryMB: 1 }).cpu.fpu);
  assert.ok(new Machine({ cpu: 'pentium2', memoryMB: 1 }).cpu.fpu);
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
  assert.deepEqual(at('pentium2'), [0x652, 0x60000010, 0xf000, 0xffff0000, 0xfff0]);
  assert.deepEqual(at('pentium'), [0x52c, 0x60000010, 0xf000, 0xffff0000, 0xfff0]);
  assert.deepEqual(at('80486'), [0x480, 0x60000010, 0xf000, 0xffff0000, 0xfff0]);
  assert.deepEqual(at('80386'), [0x400, 0x10, 0xf000, 0xffff0000, 0xfff0]);
  assert.deepEqual(at('80286'), [0, 0xfff0, 0xf000, 0xffff0000, 0xfff0]);
});

test('Pentium II: CPUID 652h with CMOV and FXSR; CMOVcc, the multi-byte NOP and FXSAVE run; CR4.OSFXSR is writable, OSXMMEXCPT reserved', () => {
  const id = run('pentium2', [0x0f, 0xa2], (c) => { c.r32[EAX] = 1; c.fpu = new X87(); }).cpu.r32;
  assert.deepEqual([id[EAX], id[EDX]], [0x652, 0x01008139]); // FPU PSE TSC MSR CX8 CMOV FXSR: no MMX, SEP, PAE, PGE, APIC
  const r = run('pentium2', [0x0f, 0x44, 0xc1], (c) => { c.r32[EAX] = 1; c.r32[ECX] = 2; c.setFlags(c.getFlags() | EFLAGS_ZF); });
  assert.equal(r.cpu.r32[EAX], 2);
  assert.deepEqual(run('pentium2', [0x0f, 0x1f, 0x40, 0x00]).fault, NONE); // nop dword [eax+0]
  const cr4 = (v: number) => run('pentium2', [0x0f, 0x22, 0xe0], (c) => { c.r32[EAX] = v; });
  assert.equal(cr4(0x214).cpu.cr4, 0x214);
  assert.deepEqual(cr4(0x400).fault, [GP, 0]);
  assert.deepEqual(run('pentium', [0x0f, 0x22, 0xe0], (c) => { c.r32[EAX] = 0x200; }).fault, [GP, 0]); // no FXSAVE, no OSFXSR
  // FXSAVE is the P6's: #UD on the Pentium and on the default 80386 core (neither reports FXSR).
  for (const model of ['pentium', '80386'] as const) {
    assert.deepEqual(run(model, [0x0f, 0xae, 0x05, 0x00, 0x30, 0x00, 0x00], (c) => { c.fpu = new X87(); }).fault, [UD, -1], model);
  }
});

/** A Pentium II with an x87 holding ST0 = 1.0, ST1 = +0 (three pushes after FNINIT, the second popped) and the given pointers. */
function fxCpu(bytes: number[], setup?: (cpu: Cpu) => void) {
  return run('pentium2', bytes, (c) => {
    const f = new X87();
    f.fninit();
    f.fldcw(0x0b7f);
    f.fldConst('pi');
    f.fldConst('z');
    f.fldConst('1');
    Object.assign(f, { fop: 0x1e8, fip: 0x1234, fcs: 0x08, fdp: 0x5678, fds: 0x10 });
    c.fpu = f;
    setup?.(c);
  });
}

test('FXSAVE: the x87 region of the 512-byte area (SDM Vol. 2 FXSAVE, Table 3-53), the unit left as it was', () => {
  const r = fxCpu([0x0f, 0xae, 0x05, 0x00, 0x30, 0x00, 0x00], (c) => { for (let i = 0; i < 520; i++) c.mem.write8(0x3000 + i, 0xa5); });
  assert.deepEqual(r.fault, NONE);
  const m = r.cpu.mem;
  const f = r.cpu.fpu as X87;
  assert.equal(m.read16(0x3000), 0x0b7f); // FCW
  assert.equal(m.read16(0x3002), 5 << 11); // FSW: TOP 5
  assert.deepEqual([m.read8(0x3004), m.read8(0x3005)], [0xe0, 0]); // abridged tag: R5-R7 in use; reserved byte 0
  assert.deepEqual([m.read16(0x3006), m.read32(0x3008), m.read32(0x300c), m.read32(0x3010), m.read32(0x3014)], [0x1e8, 0x1234, 0x08, 0x5678, 0x10]);
  assert.deepEqual([m.read32(0x3018), m.read32(0x301c)], [0xa5a5a5a5, 0xa5a5a5a5]); // MXCSR: no SSE, not written
  const slot = (i: number) => [m.read32(0x3020 + 16 * i), m.read32(0x3024 + 16 * i), m.read16(0x3028 + 16 * i), m.read16(0x302a + 16 * i)];
  assert.deepEqual(slot(0), [0, 0x80000000, 0x3fff, 0xa5a5]); // ST0 = 1.0; bytes 10-15 reserved
  assert.deepEqual(slot(1), [0, 0, 0, 0xa5a5]); // +0
  assert.deepEqual(slot(2), [0x2168c235, 0xc90fdaa2, 0x4000, 0xa5a5]); // pi
  assert.equal(m.read32(0x3200), 0xa5a5a5a5);
  assert.deepEqual([f.top, f.empty, f.cw], [5, 0x1f, 0x0b7f]); // not reinitialised, as FNSAVE would
  // Outside protected mode the pointers are offsets: the unit's linear FIP/FDP less CS and DS.
  const rm = new X87();
  Object.assign(rm, { fip: 0x12345, fcs: 0x1000, fdp: 0x20010, fds: 0x2000 });
  const dv = new DataView(rm.fxsave({ op32: true, protectedMode: false }).buffer);
  assert.deepEqual([dv.getUint32(8, true), dv.getUint32(16, true)], [0x2345, 0x10]);
});

test('FXRSTOR: loads FCW, FSW (TOP), the tags from the abridged tag and the contents, pointers and registers', () => {
  const img = new Uint8Array(512);
  const dv = new DataView(img.buffer);
  dv.setUint16(0, 0x0e7f, true);
  dv.setUint16(2, (6 << 11) | 0x0001, true); // TOP 6, IE (masked: no ES)
  img[4] = 0xc1; // R0, R6, R7 in use
  dv.setUint16(6, 0x5ab, true);
  dv.setUint32(8, 0xabcd, true);
  dv.setUint16(12, 0x18, true);
  dv.setUint32(16, 0x4444, true);
  dv.setUint16(20, 0x20, true);
  dv.setUint32(32 + 16 + 4, 0xc0000000, true); dv.setUint16(32 + 16 + 8, 0x7fff, true); // ST1 (R7): a quiet NaN
  dv.setUint32(32 + 32 + 4, 0x80000000, true); dv.setUint16(32 + 32 + 8, 0xc000, true); // ST2 (R0): -2.0
  const r = fxCpu([0x0f, 0xae, 0x0d, 0x00, 0x30, 0x00, 0x00], (c) => c.mem.poke(0x3000, img));
  assert.deepEqual(r.fault, NONE);
  const f = r.cpu.fpu as X87;
  assert.deepEqual([f.cw, f.status(), f.top, f.pending()], [0x0e7f, 0x3001, 6, false]);
  assert.equal(f.tagWord(), 0x9ffc); // R6 zero (01), R7 special (10), R0 valid (00), the rest empty
  assert.deepEqual([f.fop, f.fip, f.fcs, f.fdp, f.fds], [0x5ab, 0xabcd, 0x18, 0x4444, 0x20]);
  // An unmasked exception flag in the loaded FSW is pending for the next waiting instruction.
  dv.setUint16(0, 0x037e, true); // IM clear
  assert.ok((fxCpu([0x0f, 0xae, 0x0d, 0x00, 0x30, 0x00, 0x00], (c) => c.mem.poke(0x3000, img)).cpu.fpu as X87).pending());
});

test('FXSAVE/FXRSTOR faults: a misaligned area #GP(0) (FXSAVE.ALIGN), CR0.TS or EM #NM, a register operand #UD, the area past the limit #GP(0) with memory untouched', () => {
  const save = [0x0f, 0xae, 0x05, 0x08, 0x30, 0x00, 0x00]; // fxsave [0x3008]
  const mis = fxCpu(save);
  assert.deepEqual(mis.fault, [GP, 0]);
  assert.equal(mis.rule, 'FXSAVE.ALIGN');
  for (const cr0 of [CR0_TS, CR0_EM]) assert.deepEqual(fxCpu([0x0f, 0xae, 0x0d, 0x00, 0x30, 0x00, 0x00], (c) => { c.cr0 |= cr0; }).fault, [NM, -1]);
  assert.deepEqual(fxCpu([0x0f, 0xae, 0xc0]).fault, [UD, -1]);
  assert.deepEqual(fxCpu([0x0f, 0xae, 0x15, 0x00, 0x30, 0x00, 0x00]).fault, [UD, -1]); // /2: LDMXCSR, SSE
  // DS limit 0x31ff: the area at 0x3000 ends at 0x31ff and fits; at 0x3010 its last byte does not.
  const lim = (at: number) => fxCpu([0x0f, 0xae, 0x05, at & 0xff, at >> 8, 0x00, 0x00], (c) => { c.setCache(DS, 0x10, 0, 0x31ff, 0x4093); });
  assert.deepEqual(lim(0x3000).fault, NONE);
  const past = lim(0x3010);
  assert.deepEqual(past.fault, [GP, 0]);
  assert.equal(past.cpu.mem.read16(0x3010), 0);
});

/** `bytes` on `model` with an x87 (FNINIT, then `loads` pushed in order, so the last is ST0) and EFLAGS `flags`. */
function withX87(model: CpuModel, bytes: number[], loads: ('1' | 'z' | 'pi' | 'qnan')[], flags = 0x2, cw = 0x037f) {
  return run(model, bytes, (c) => {
    const f = new X87();
    f.fninit();
    f.fldcw(cw);
    for (const v of loads) {
      if (v === 'qnan') f.fldMem('m32', 0x7fc00000);
      else f.fldConst(v);
    }
    c.fpu = f;
    installFpu(c);
    c.setFlags(flags);
  });
}

test('Pentium II: FCMOVcc moves ST(i) to ST0 on CF, ZF, CF|ZF or PF (and their negations); an empty operand underflows either way', () => {
  // ST0 = 1, ST1 = pi; FCMOVB ST0, ST1 (DA C1) and FCMOVNB (DB C1) under CF.
  const st0 = (bytes: number[], flags: number) => (withX87('pentium2', bytes, ['pi', '1'], flags).cpu.fpu as X87).st(0).exp;
  assert.equal(st0([0xda, 0xc1], 0x3), 0x4000); // CF: moved (pi)
  assert.equal(st0([0xda, 0xc1], 0x2), 0x3fff); // not moved (1.0)
  assert.equal(st0([0xdb, 0xc1], 0x2), 0x4000);
  assert.equal(st0([0xda, 0xd1], 0x42), 0x4000); // FCMOVBE on ZF
  assert.equal(st0([0xda, 0xd9], 0x6), 0x4000); // FCMOVU on PF
  assert.equal(st0([0xdb, 0xd9], 0x6), 0x3fff); // FCMOVNU
  // ST1 empty, the condition false: IE|SF, C1 = 0, ST0 the indefinite (IE masked).
  const u = withX87('pentium2', [0xda, 0xc1], ['1'], 0x2).cpu.fpu as X87;
  assert.equal(u.status() & 0x0241, 0x0041);
  assert.deepEqual([u.st(0).sign, u.st(0).exp, u.st(0).sig], [1, 0x7fff, 0xc000000000000000n]);
  // Only where the model decodes them: #UD on the Pentium and the 80486; the default core runs them with a 387.
  for (const model of ['pentium', '80486'] as const) assert.deepEqual(withX87(model, [0xda, 0xc1], ['pi', '1']).fault, [UD, -1], model);
  assert.equal((withX87('80386', [0xda, 0xc1], ['pi', '1'], 0x3).cpu.fpu as X87).st(0).exp, 0x4000);
});

test('Pentium II: FCOMI/FUCOMI set ZF, PF, CF and clear OF, SF, AF; FCOMIP pops; NaNs, empty registers and unmasked #IA (SDM Vol. 2 FCOMI)', () => {
  const ALL = 0x8d7; // OF SF ZF AF PF CF
  const comi = (bytes: number[], loads: ('1' | 'z' | 'pi' | 'qnan')[], cw = 0x037f) => {
    const r = withX87('pentium2', bytes, loads, ALL, cw);
    const f = r.cpu.fpu as X87;
    return [r.cpu.getFlags() & 0x8d5, f.status() & 0x38c1];
  };
  assert.deepEqual(comi([0xdb, 0xf1], ['pi', '1']), [0x01, 0x3000]); // 1 < pi: CF
  assert.deepEqual(comi([0xdb, 0xf1], ['1', 'pi']), [0x00, 0x3000]); // greater
  assert.deepEqual(comi([0xdb, 0xf1], ['1', '1']), [0x40, 0x3000]); // equal: ZF
  assert.deepEqual(comi([0xdf, 0xf1], ['1', '1']), [0x40, 0x3800]); // FCOMIP: TOP 7
  assert.deepEqual(comi([0xdb, 0xf1], ['1', 'qnan']), [0x45, 0x3001]); // unordered, IE (any NaN)
  assert.deepEqual(comi([0xdb, 0xe9], ['1', 'qnan']), [0x45, 0x3000]); // FUCOMI: a quiet NaN is no #IA
  assert.deepEqual(comi([0xdf, 0xf1], ['1']), [0x45, 0x0041]); // ST1 empty: IE|SF, unordered, popped
  // IE unmasked: ZF, PF and CF stay as they were (all set here) while OF, SF and AF clear; no pop.
  assert.deepEqual(comi([0xdf, 0xf1], ['1', 'qnan'], 0x037e), [0x45, 0x3081]);
  const r = withX87('pentium2', [0xdf, 0xf1], ['1', 'qnan'], 0x2, 0x037e);
  assert.equal(r.cpu.getFlags() & 0x45, 0);
});
