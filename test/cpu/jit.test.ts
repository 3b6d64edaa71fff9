// @tier full
// Compiled blocks (emulator/cpu/jit) against the interpreter: the same programs, run both ways in
// the same slices, must leave the same architectural state after every slice: registers, flags,
// segment caches, control registers, the instruction count and all of RAM. Random code in every
// mode (with everything compiled on first sight), self-modifying code at instruction granularity,
// breakpoints and watchpoints armed after a loop was compiled, and exact budgets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cpu, CpuModel } from '../../emulator/cpu/cpu';
import { BreakpointSet, RUN_BREAKPOINT, runCpu } from '../../emulator/cpu/execute';
import { installFpu } from '../../emulator/cpu/exec/x87';
import { X87 } from '../../emulator/cpu/fpu/x87';
import { CS, DS } from '../../emulator/cpu/regs';
import { DebugMonitor } from '../../emulator/debug/monitor';
import { Machine } from '../../emulator/machine';
import { rng, setup, type Mode } from '../pm/fuzzSetup';
import { Bios } from '../../emulator/bios/bios';
import { DiskImage } from '../../emulator/disk/diskImage';
import { grubImage, missingTools, syslinuxImage } from '../boot/images';
import { BENCH_ASM } from '../bench/benchAsm';
import { Flow, trace } from '../../emulator/cpu/jit/trace';
import { blocks, state } from './jitState';

function sameRam(a: Cpu, b: Cpu): boolean {
  return Buffer.compare(Buffer.from(a.ram.buffer, a.ram.byteOffset, a.ram.length), Buffer.from(b.ram.buffer, b.ram.byteOffset, b.ram.length)) === 0;
}

// The 80486, Pentium and Pentium II rows: their decode tiers (CMOVcc, RDTSC ... #UD; the Pentium II
// with its x87, so FXSAVE/FXRSTOR and FCMOVcc run) and, at ring 3, alignment checking on (fuzzSetup.ts), so #AC comes from compiled
// accesses as from the interpreter's.
const MODES: [Mode, CpuModel][] = [['real', '80386'], ['pm32', '80386'], ['pm16', '80386'], ['ring3', '80386'], ['vm86', '80386'], ['paging', '80386'], ['real', '80286'], ['pm16', '80286'],
  ['pm32', '80486'], ['ring3', '80486'], ['ring3', 'pentium'], ['vm86', 'pentium'], ['pm32', 'pentium2'], ['ring3', 'pentium2']];

for (const [mode, model] of MODES) {
  test(`jit ${model} ${mode}: random code compiled on first sight runs as the interpreter runs it`, () => {
    let compiled = 0, ran = 0;
    // Real-mode random code rarely faults, so it runs long straight stretches: each start compiles.
    const seeds = mode === 'real' ? 12 : 40;
    for (let seed = 1; seed <= seeds; seed++) {
      const s = seed * 104729 + mode.length;
      const a = setup(mode, s, model), b = setup(mode, s, model);
      if (model === 'pentium2') for (const c of [a, b]) { c.fpu = new X87(); c.fpu.fninit(); installFpu(c); }
      a.jit = null;
      blocks(b).hot = 1;
      const slices = rng(seed);
      while (a.icount < 4000 && !a.shutdown) {
        const n = 1 + (slices() % 300);
        runCpu(a, n);
        runCpu(b, n);
        assert.equal(state(b), state(a), `seed ${s} at ${a.icount}`);
        if (a.halted) break;
      }
      assert.ok(sameRam(a, b), `seed ${s}: RAM differs`);
      compiled += blocks(b).compiled;
      ran += a.icount;
    }
    assert.ok(compiled > 100, `only ${compiled} blocks compiled`);
    assert.ok(ran > 20_000, `only ${ran} instructions ran`);
  });
}

test('jit loops: random loop bodies (faults, a store into the body, budgets ending mid-loop) run as the interpreter runs them', () => {
  // MOV eCX, n / body: [a store into its own random bytes] + random bytes / LOOP body: blocks hold
  // registers and segment caches in locals across rounds and write them back wherever they leave.
  const modes: [Mode, CpuModel][] = [['real', '80386'], ['pm16', '80386'], ['pm32', '80386'], ['vm86', '80386'], ['ring3', '80486'], ['real', '80286']];
  let compiled = 0;
  for (const [mode, model] of modes) {
    for (let seed = 1; seed <= 16; seed++) {
      const s = seed * 7919 + mode.length;
      const a = setup(mode, s, model), b = setup(mode, s, model);
      if (model === 'pentium2') for (const c of [a, b]) { c.fpu = new X87(); c.fpu.fninit(); installFpu(c); }
      a.jit = null;
      blocks(b).hot = 1;
      const r = rng(s ^ 0x5a5a);
      const wide = a.code32 === 1;
      const lin = a.base[CS] + a.eip;
      const random = Array.from({ length: 4 + (r() % 16) }, () => r() & 0xff);
      // Half the loops patch a byte of their own random part each round (self-modifying code).
      const store: number[] = [];
      if (seed % 2 === 0) {
        const at = lin + (wide ? 5 + 7 : 3 + 5) + (r() % random.length) - a.base[DS];
        store.push(0xc6, wide ? 0x05 : 0x06, at & 0xff, (at >>> 8) & 0xff, ...(wide ? [(at >>> 16) & 0xff, at >>> 24] : []), r() & 0xff);
      }
      const body = [...store, ...random];
      const code = [0xb9, 20 + (r() % 200), 0, ...(wide ? [0, 0] : []), ...body, 0xe2, (-(body.length + 2)) & 0xff];
      for (const cpu of [a, b]) cpu.mem.poke(lin, new Uint8Array(code));
      const slices = rng(seed);
      while (a.icount < 3000 && !a.shutdown) {
        const n = 1 + (slices() % 150);
        runCpu(a, n);
        runCpu(b, n);
        assert.equal(state(b), state(a), `${model} ${mode} seed ${s} at ${a.icount}`);
        if (a.halted) break;
      }
      assert.ok(sameRam(a, b), `${model} ${mode} seed ${s}: RAM differs`);
      compiled += blocks(b).compiled;
    }
  }
  assert.ok(compiled > 100, `only ${compiled} blocks compiled`);
});

/** A flat real-mode machine with `code` at 0000:7C00 and everything compiled on first sight. */
function realMode(code: number[], jit = true, cpu: CpuModel = '80386'): Machine {
  const m = new Machine({ cpu, memoryMB: 1 });
  const sector = new Uint8Array(512);
  sector.set(code);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  m.loadBootSector(sector, 0);
  if (jit) blocks(m.cpu).hot = 1;
  else m.cpu.jit = null;
  return m;
}

/** A real-mode boot sector from NASM source. */
function assembled(src: string): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'jit-'));
  writeFileSync(join(dir, 't.asm'), src);
  execFileSync('nasm', ['-f', 'bin', join(dir, 't.asm'), '-o', join(dir, 't.bin')]);
  return [...readFileSync(join(dir, 't.bin'))];
}

/** `code` run to its HLT in real mode, interpreted and with blocks, in the same slices of 1-40 instructions: the state after each. */
function bothWays(code: number[], seed: number, model: CpuModel = '80386'): { m: Machine; states: string[] }[] {
  return [false, true].map((jit) => {
    const m = realMode(code, jit, model);
    const slices = rng(seed);
    const states: string[] = [];
    while (!m.cpu.halted) {
      runCpu(m.cpu, 1 + (slices() % 40));
      states.push(state(m.cpu));
    }
    return { m, states };
  });
}

test('jit: a store into the next instruction of the running block takes effect at once', () => {
  // mov byte [0x7c08], 0x42 ; the immediate of the next MOV becomes 0x42 before it runs
  // mov al, 0x11 ; hlt
  const code = [0xc6, 0x06, 0x08, 0x7c, 0x42, 0xfa, 0x90, 0xb0, 0x11, 0xf4];
  for (const jit of [false, true]) {
    const m = realMode(code, jit);
    m.run({ maxInstructions: 100 });
    assert.equal(m.cpu.r8[0], 0x42, jit ? 'compiled' : 'interpreted');
  }
});

test('jit: patching a compiled loop changes what the next round runs', () => {
  // 7C00: mov cx, 100
  // 7C03: inc ax            ; patched to `dec ax` (48) after 50 rounds
  // 7C04: cmp cx, 51 / jne +5 / mov byte [7C03], 0x48 / loop 7C03 / hlt
  const code = [0xb9, 0x64, 0x00, 0x40, 0x83, 0xf9, 0x33, 0x75, 0x05, 0xc6, 0x06, 0x03, 0x7c, 0x48, 0xe2, 0xf3, 0xf4];
  const results = [false, true].map((jit) => {
    const m = realMode(code, jit);
    m.run({ maxInstructions: 10_000 });
    return { ax: m.cpu.r16[0], state: state(m.cpu) };
  });
  // 50 increments, then 50 decrements (the round that patches still ran `inc`).
  assert.equal(results[0].ax, 0);
  assert.equal(results[1].state, results[0].state);
});

test('jit: segment registers loaded inside a compiled loop take effect for the next access', () => {
  // Real mode: l: DS = 800h + (CX & 3); inc word [10h]; ES = DS (PUSH/POP); mov [es:100h], cx;
  // DS = 900h; add [12h], cx; loop l; hlt. Blocks hold segment caches in locals: each load must
  // reach them before the next access.
  const code = [0x31, 0xc0, 0x8e, 0xd8, 0xb9, 0xc8, 0x00,
    0x89, 0xc8, 0x83, 0xe0, 0x03, 0x05, 0x00, 0x08, 0x8e, 0xd8, 0xff, 0x06, 0x10, 0x00, 0x1e, 0x07, 0x26, 0x89, 0x0e, 0x00, 0x01,
    0xbb, 0x00, 0x09, 0x53, 0x1f, 0x01, 0x0e, 0x12, 0x00, 0xe2, 0xe0, 0xf4];
  const runs = [false, true].map((jit) => {
    const m = realMode(code, jit);
    m.run({ maxInstructions: 10_000 });
    return m;
  });
  for (const m of runs) {
    for (let k = 0; k < 4; k++) assert.equal(m.mem.read16(0x8010 + 16 * k), 50, `DS = ${0x800 + k}`);
    assert.deepEqual([0, 1].map((k) => m.mem.read16(0x8100 + 16 * k)), [4, 1], 'the last stores through ES');
    assert.equal(m.mem.read16(0x9012), 20100, 'the sum of 1..200 through DS = 900h');
    assert.ok(m.cpu.halted);
  }
  assert.equal(state(runs[1].cpu), state(runs[0].cpu));
  assert.ok(blocks(runs[1].cpu).compiled > 0);
});

/**
 * `a` interpreted and `b` with everything compiled on first sight, run in the same slices of 1-`most` instructions
 * (seeded) to a HLT, a shutdown or `limit` instructions: the state after every slice and then RAM must agree, and
 * blocks must have been made. `each` looks at `a` after each slice.
 */
function sideBySide(a: Cpu, b: Cpu, seed: number, limit: number, most = 30, each?: (a: Cpu) => void): void {
  a.jit = null;
  blocks(b).hot = 1;
  const slices = rng(seed);
  while (!a.halted && !a.shutdown && a.icount < limit) {
    const n = 1 + (slices() % most);
    runCpu(a, n);
    runCpu(b, n);
    each?.(a);
    assert.equal(state(b), state(a), `at ${a.icount}`);
  }
  assert.ok(sameRam(a, b), 'RAM differs');
  assert.ok(blocks(b).compiled > 0);
}

test('jit: an SS load that changes the stack size inside a block takes effect for the next push', () => {
  // 16-bit PM on the 80386, ESP = 17000h: SS = 10h has B set (pushes use ESP), 30h not (they use SP).
  // mov cx, 60 / l: push ax / lss sp, [9000h] (SS = 30h) / push cx / pop bx / lss sp, [9004h] (SS = 10h) /
  // pop ax / push bx / pop dx / loop l / hlt. LSS opens no interrupt shadow: the block goes on after
  // it, and since blocks are made for one stack size it must leave there.
  const code = [0xb9, 0x3c, 0x00, 0x50, 0x0f, 0xb2, 0x26, 0x00, 0x90, 0x51, 0x5b, 0x0f, 0xb2, 0x26, 0x04, 0x90, 0x58, 0x53, 0x5a, 0xe2, 0xee, 0xf4];
  const [a, b] = [1, 2].map(() => {
    const c = setup('pm16', 5, '80386');
    c.mem.write32(0x1030, 0x0000ffff);
    c.mem.write32(0x1034, 0x00009200);
    c.mem.poke(0x8000, new Uint8Array(code));
    for (const [at, v] of [[0x9000, 0x7000], [0x9002, 0x30], [0x9004, 0x6ffe], [0x9006, 0x10]]) c.mem.write16(at, v);
    c.r32[4] = 0x17000;
    c.r32[0] = 0x1234;
    return c;
  });
  sideBySide(a, b, 11, 5000);
  assert.deepEqual([a.halted, a.eip, a.r32[4], a.r16[0], a.r16[4], a.mem.read16(0x6ffe)], [true, 0x8000 + code.length, 0x17000, 0x1234, 1, 1],
    'the loop ran to its HLT, CX pushed through SP');
});

test('jit: alignment checking turned on and off by POPFD between rounds of a compiled loop takes effect for the next access (80486)', () => {
  // Ring 3 with CR0.AM, AC clear when the loop is compiled. Each round loads DS (AC clear: its fast-path
  // bounds, fastReadHi, allow the read), toggles EFLAGS.AC on with POPFD, then reads a dword at 9001h:
  // #AC(0), whose handler counts it and returns with AC clear (the read then runs again). Alignment
  // checking zeroes segOk and the bounds kept with it, which blocks read.
  const loop = assembled(`bits 32
    org 0x8000
    mov ecx, 40
  l: mov ax, 0x23
    mov ds, ax
    pushfd
    xor dword [esp], 0x40000
    popfd
    mov ebx, [0x9001]
    add edx, ebx
    loop l
    jmp $`);
  const handler = assembled(`bits 32
    org 0xa000
    add esp, 4
    inc dword [0x9100]
    and dword [esp + 8], ~0x40000
    iretd`);
  const [a, b] = [1, 2].map(() => {
    const c = setup('ring3', 3, '80486');
    c.setFlags(c.flags & ~0x40000);
    c.mem.poke(0x8000, new Uint8Array(loop));
    c.mem.poke(0xa000, new Uint8Array(handler));
    c.mem.write32(0x2000 + 17 * 8, (0x08 << 16) | 0xa000);
    c.mem.write32(0x2004 + 17 * 8, 0x8e00);
    c.mem.write32(0x9000, 0x04030201);
    c.mem.write32(0x9004, 0x08070605);
    c.mem.write32(0x9100, 0);
    return c;
  });
  sideBySide(a, b, 5, 800);
  assert.deepEqual([a.r32[1], a.mem.read32(0x9100), a.r32[2]], [0, 40, Math.imul(40, 0x05040302) >>> 0],
    'every round faulted once and read the dword');
});

test('jit: accesses through an expand-down data segment (offsets above its limit valid, below it #GP) run as the interpreter runs them', () => {
  // 16-bit PM on the 80386, DS = 30h: expand-down, limit FFFh, base 10000h. Blocks leave such segments
  // to their slow path (Cpu.fastReadHi is -1 where the lowest valid offset is not 0). The loop walks BX
  // down from F000h by 300h: reads and read-modify-writes above FFFh, then #GP(0) below it (into the
  // fuzz set-up's random handlers, the same both ways).
  const code = assembled(`bits 16
    org 0x8000
    mov ax, 0x30
    mov ds, ax
    mov bx, 0xf000
    mov cx, 80
  l: mov ax, [bx]
    add [bx + 2], ax
    inc word [bx + 4]
    sub bx, 0x300
    loop l
    hlt`);
  const [a, b] = [1, 2].map(() => {
    const c = setup('pm16', 6, '80386');
    c.mem.write32(0x1030, 0x00000fff);
    c.mem.write32(0x1034, 0x00009601);
    c.mem.poke(0x8000, new Uint8Array(code));
    return c;
  });
  let sawGp = false;
  sideBySide(a, b, 13, 3000, 30, (c) => { sawGp ||= c.lastException === 13; });
  assert.ok(sawGp, 'BX went below the limit: #GP');
});

test('jit: accesses at the top of RAM and past it (no RAM: reads 0, writes dropped) run as the interpreter runs them', () => {
  // 32-bit flat PM with 2 MiB of RAM: a compiled loop stores to and reads the last dword of RAM, then
  // the first dword past it and one near 4 GiB, through an index that moves a byte per round (accesses
  // that end in RAM, straddle its end, or lie past it). Blocks send pages without RAM to their slow
  // path by a page flag (PF_NO_RAM) instead of testing the address against the RAM size.
  const code = assembled(`bits 32
    org 0x8000
    mov ecx, 12
    xor esi, esi
  l: mov [0x1ffff8 + esi], ecx
    mov eax, [0x1ffff8 + esi]
    add edx, eax
    mov word [0x200000 + esi], 0x1234
    movzx eax, word [0x200000 + esi]
    add edx, eax
    mov byte [0xfffff000 + esi], 0x56
    add dl, [0xfffff000 + esi]
    inc esi
    loop l
    hlt`);
  const [a, b] = [1, 2].map(() => {
    const c = setup('pm32', 7, '80386');
    c.mem.poke(0x8000, new Uint8Array(code));
    return c;
  });
  sideBySide(a, b, 17, 2000, 20);
  assert.ok(a.halted, 'the loop ran to its HLT');
  // The stores' bytes that landed in RAM (the rest were dropped), and EDX from the reads (0 past RAM).
  const top = new Map<number, number>();
  let edx = 0;
  for (let esi = 0, ecx = 12; ecx > 0; esi++, ecx--) {
    for (let k = 0; k < 4; k++) if (0x1ffff8 + esi + k < 0x200000) top.set(0x1ffff8 + esi + k, (ecx >>> (8 * k)) & 0xff);
    for (let k = 0; k < 4; k++) edx = (edx + (top.get(0x1ffff8 + esi + k) ?? 0) * 2 ** (8 * k)) >>> 0;
  }
  assert.deepEqual([...top].map(([at]) => a.mem.read8(at)), [...top.values()], 'the last stores into RAM');
  assert.equal(a.r32[2], edx, 'reads past RAM gave 0');
});

test('jit: a SIB byte with no index but a scale scales the base in blocks too (80386)', () => {
  // 7C00: mov ebx, 100h / mov cx, 10 / l: add eax, [ebx*4 + 7B00h] (SIB A3 with disp32) / loop l / hlt
  const code = [0x66, 0xbb, 0x00, 0x01, 0x00, 0x00, 0xb9, 0x0a, 0x00,
    0x67, 0x66, 0x03, 0x84, 0xa3, 0x00, 0x7b, 0x00, 0x00, 0xe2, 0xf5, 0xf4];
  for (const jit of [false, true]) {
    const m = realMode(code, jit);
    m.mem.write32(0x7f00, 3); // 100h * 4 + 7B00h
    m.run({ maxInstructions: 1000 });
    assert.equal(m.cpu.r32[0], 30, jit ? 'compiled' : 'interpreted');
    if (jit) assert.ok(blocks(m.cpu).compiled > 0);
  }
});

test('jit: stores next to code in its page leave the compiled blocks alone', () => {
  // A loop that pushes and pops (stack just below the code) and counts in a variable after it.
  // 7C00: mov sp, 7C00 / mov cx, 1000 / l: push cx / pop dx / inc word [7C20] / loop l / hlt
  const code = [0xbc, 0x00, 0x7c, 0xb9, 0xe8, 0x03, 0x51, 0x5a, 0xff, 0x06, 0x20, 0x7c, 0xe2, 0xf8, 0xf4];
  const m = realMode(code);
  m.run({ maxInstructions: 100_000 });
  assert.equal(m.mem.read16(0x7c20), 1000);
  assert.ok(blocks(m.cpu).compiled <= 4, `${blocks(m.cpu).compiled} blocks compiled for one loop`);
});

test('jit: blocks made before paging was turned on do not run under paging', () => {
  const code = [0x40, 0x43, 0xeb, 0xfc]; // l: inc ax / inc bx / jmp l
  const m = realMode(code);
  const cpu = m.cpu;
  runCpu(cpu, 1000);
  assert.ok(blocks(cpu).compiled > 0);
  // Linear page 0x7000 now maps to physical 0x20000, where `inc cx / inc dx / jmp` waits at 0x20C00.
  m.mem.poke(0x20c00, new Uint8Array([0x41, 0x42, 0xeb, 0xfc]));
  m.mem.write32(0x30000, 0x31003); // page directory entry 0 → page table at 0x31000
  for (let p = 0; p < 256; p++) m.mem.write32(0x31000 + p * 4, ((p === 7 ? 0x20 : p) << 12) | 3);
  cpu.cr3 = 0x30000;
  cpu.cr0 |= 0x80000001;
  cpu.updateMode();
  cpu.eip = 0x7c00;
  const before = [cpu.r16[0], cpu.r16[2]];
  runCpu(cpu, 999);
  assert.equal(cpu.r16[0], before[0], 'AX untouched: the old block did not run');
  assert.equal(cpu.r16[2], before[1] + 333, 'CX counted by the code paging maps there');
});

test('jit: a breakpoint set at the entry of a compiled loop that loops back to it stops there', () => {
  const code = [0x40, 0x43, 0x41, 0xeb, 0xfb]; // l: inc ax / inc bx / inc cx / jmp l
  const m = realMode(code);
  const first = new BreakpointSet();
  first.add(0x7e00); // a set with a breakpoint elsewhere in the page: blocks are made for it
  runCpu(m.cpu, 1000, { breakpoints: first });
  assert.ok(blocks(m.cpu).compiled > 0);
  const bps = new BreakpointSet();
  bps.add(0x7e00);
  bps.add(0x7c00);
  const before = m.cpu.r16[0];
  const r = runCpu(m.cpu, 1000, { breakpoints: bps, skipBreakAt: (m.cpu.base[CS] + m.cpu.eip) >>> 0 });
  assert.equal(r, RUN_BREAKPOINT);
  assert.equal(m.cpu.eip, 0x7c00);
  assert.ok(m.cpu.r16[0] - before <= 1, 'at most one round before the stop');
});

// 7C00: mov cx, 60 / l: call f (7C03) / dec word [7D00] / push word [7D00] / pop dx / loop l / hlt
// f (7C12): call g / ret (7C15)    g (7C16): inc ax / ret (7C17)
const CALLS = [0xb9, 0x3c, 0x00, 0xe8, 0x0c, 0x00, 0xff, 0x0e, 0x00, 0x7d, 0xff, 0x36, 0x00, 0x7d, 0x5a, 0xe2, 0xf2, 0xf4,
  0xe8, 0x01, 0x00, 0xc3, 0x40, 0xc3];

test('jit: in a debug session (shadow call stack, its FF wrapper) blocks keep the call stack the interpreter keeps', () => {
  const code = CALLS;
  const runs = [false, true].map((jit) => {
    const m = realMode(code, jit);
    if (jit) blocks(m.cpu).hot = 3;
    const mon = new DebugMonitor(m);
    const seen: string[] = [];
    for (let i = 0; i < 60 && !m.cpu.halted; i++) {
      runCpu(m.cpu, 7);
      seen.push(JSON.stringify([state(m.cpu), mon.stack.frames().map((f) => [f.kind, f.retEip, f.entryEip, f.esp])]));
    }
    return { seen, compiled: jit ? blocks(m.cpu).compiled : 0 };
  });
  assert.deepEqual(runs[1].seen, runs[0].seen);
  assert.ok(runs[1].compiled > 0);
});

test('jit: under the shadow call stack near CALL and RET stay native code, and a compiled RET stops stepOut right after it', () => {
  const m = realMode(CALLS);
  const mon = new DebugMonitor(m);
  // The call stack looks at near CALL and RET after they ran: the block runs them natively, then its after-watcher.
  const transfers = trace(m.cpu, 0x7c03, 0x7c03, () => false)!.items.filter((i) => i.insn.opcode === 0xe8 || i.insn.opcode === 0xc3);
  assert.deepEqual(transfers.map((i) => [i.eip, i.flow, i.native !== null, i.after.length]),
    [[0x7c03, Flow.Call, true, 1], [0x7c12, Flow.Call, true, 1], [0x7c17, Flow.Return, true, 1], [0x7c15, Flow.Return, true, 1]]);
  // Into g one instruction at a time (a budget below a block's count steps), then stepOut: the block at g returns.
  m.run({ maxInstructions: 3 });
  assert.deepEqual([m.cpu.eip, mon.stack.depth], [0x7c16, 2]);
  assert.ok(mon.armStepOut());
  const compiled = blocks(m.cpu).compiled, before = m.cpu.icount;
  const stop = m.run({ maxInstructions: 1000 });
  assert.equal(blocks(m.cpu).compiled, compiled + 1, 'g compiled and run');
  assert.deepEqual([stop.reason, m.cpu.eip, m.cpu.icount - before, mon.stack.depth, mon.takeStepOutDone()], ['pause', 0x7c15, 2, 1, true]);
  assert.deepEqual(mon.stack.frames().map((f) => [f.kind, f.callerEip, f.retEip, f.entryEip]), [['call', 0x7c03, 0x7c06, 0x7c12]]);
});

test('jit: a Jcc over a JMP (the block goes on at the Jcc target and leaves at the JMP) runs as the interpreter runs it', () => {
  // Each round takes the Jcc (on in the block) or falls through to the JMP (out of it), the two
  // ways mixed; the JMP's path reads the CMP's carry (ADC) after the block left; budgets end anywhere.
  const src = `bits 16
org 0x7c00
  xor ax, ax
  xor bx, bx
  mov cx, 400
top:
  mov dx, cx
  and dx, 3
  cmp dx, 1
  je ok
  jmp other
ok:
  add ax, cx
  loop top
  hlt
other:
  add bx, cx
  mov [0x600], bx
  adc ax, 0
  loop top
  hlt
`;
  const runs = bothWays(assembled(src), 7);
  assert.deepEqual(runs[1].states, runs[0].states);
  assert.equal(runs[1].m.cpu.r16[0], runs[0].m.cpu.r16[0]);
  assert.ok(blocks(runs[1].m.cpu).compiled > 1);
});

test('jit: near CALL and RET followed inside a block (flags pending across them, a RET elsewhere) run as the interpreter runs them', () => {
  // Without a debugger watching them, CALL and RET in a block are a PUSH and a POP: count, EIP and
  // flags settled only where the block leaves. Every fourth round the callee returns past the INC
  // (the RET leaves the block through nearJump) after an ADD; the other rounds its JNZ skips that
  // stretch, so the carry the ADC reads after the RET comes from TEST or from ADD, two ways meeting
  // at `back` (blocks once took the stretch's ADD as the producer on both). One round in 16 the stack
  // crosses from 7000h into the 6000h page; budgets end anywhere.
  const src = `bits 16
org 0x7c00
  xor ax, ax
  mov ss, ax
  mov cx, 400
top:
  mov sp, 0x7000
  test cl, 15
  jnz call
  mov sp, 0x7001
call:
  call sub
  inc bx
  adc si, 0
  loop top
  hlt
sub:
  add ax, cx
  test cl, 3
  jnz back
  mov bp, sp
  inc word [bp]
  add ax, 0xf000
back:
  ret
`;
  const runs = bothWays(assembled(src), 9);
  assert.deepEqual(runs[1].states, runs[0].states);
  const cpu = runs[0].m.cpu;
  assert.equal(cpu.r32[3], 300, 'three rounds in four ran the INC');
  assert.ok(cpu.r32[6] > 0, 'ADC read carries');
  assert.ok(blocks(runs[1].m.cpu).compiled > 1);
});

/**
 * A random real-mode program whose flags flow through the shapes blocks compile specially: a loop of flag
 * producers (SHLD/SHRD among them), readers (ADC/SBB, SETcc, PUSHF, Jcc), forward Jcc over short stretches (Skip), Jcc over a JMP
 * away (Taken), memory operands through DS and ES, ES loads, and a CALL to a subroutine that may skip its own
 * stretch before RET; 8-, 16- and 32-bit operands; CX (the loop) and SP stay out of it. Stores stay in
 * 0600h-0663h of segments 0, 20h and 40h.
 */
function flagProgram(r: () => number): string {
  const regs = ['ax', 'bx', 'dx', 'si', 'di', 'bp'];
  const sized = [['al', 'ah', 'bl', 'bh', 'dl', 'dh'], regs, regs.map((x) => `e${x}`)];
  const reg = () => regs[r() % regs.length];
  const imm = () => (r() % 3 === 0 ? r() & 0xffff : r() & 0xf);
  // Operands of one size (8, 16 or 32 bits: the formulas' masks and sign bits differ).
  const operands = () => {
    const set = sized[r() % 3];
    const pick = () => set[r() % set.length];
    return `${pick()}, ${r() % 2 ? pick() : set === sized[0] ? imm() & 0xff : imm()}`;
  };
  const producer = () => {
    const k = r() % 12;
    if (k < 7) return `${['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test'][k]} ${operands()}`;
    if (k < 9) return `${k === 7 ? 'inc' : 'dec'} ${sized[r() % 3][r() % 6]}`;
    if (k === 9) {
      // SHL, or SHLD/SHRD of two 16- or 32-bit registers by 0-31 (16-bit counts above 16 included).
      if (r() % 2) return `shl ${sized[r() % 3][r() % 6]}, ${1 + (r() % 5)}`;
      const set = sized[1 + (r() % 2)];
      return `${r() % 2 ? 'shld' : 'shrd'} ${set[r() % 6]}, ${set[r() % 6]}, ${r() % 32}`;
    }
    return `${k === 10 ? 'adc' : 'sbb'} ${operands()}`;
  };
  const cc = () => ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'][r() % 16];
  const mem = () => `[${r() % 2 ? 'es:' : ''}${0x600 + 2 * (r() % 32)}]`;
  let label = 0;
  // Stretches a Jcc's fall-through jumps to, placed after the HLT; each goes back to the Jcc's target.
  const away: string[] = [];
  const stmts = (n: number, calls: boolean): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = r() % 14;
      if (k < 4) out.push(producer());
      else if (k === 4) out.push(`${r() % 2 ? 'adc' : 'sbb'} ${reg()}, 0`);
      else if (k === 5) out.push(`set${cc()} al`);
      else if (k === 6) out.push('pushf', `pop ${reg()}`);
      else if (k === 7 && calls) out.push('call sub');
      else if (k === 8) out.push(r() % 2 ? `mov ${mem()}, ${reg()}` : `${['add', 'sub', 'xor'][r() % 3]} ${reg()}, ${mem()}`);
      else if (k === 9) out.push(r() % 2 ? `inc word ${mem()}` : `add word ${mem()}, ${imm()}`);
      else if (k === 10) out.push(`mov ${reg()}, ${[0, 0x20, 0x40][r() % 3]}`, 'push ax', `mov ax, ${[0, 0x20, 0x40][r() % 3]}`, 'mov es, ax', 'pop ax');
      else if (k === 11 && calls) {
        // je on / jmp away: the block goes on at the target when taken, leaves at the JMP when not.
        const l = `t${label++}`;
        out.push(`j${cc()} ${l}`, `jmp ${l}a`, `${l}:`);
        away.push(`${l}a:`, producer(), `jmp ${l}`);
      } else {
        const l = `s${label++}`;
        out.push(`j${cc()} ${l}`, ...Array.from({ length: 1 + (r() % 4) }, () => (r() % 4 ? producer() : `mov ${reg()}, ${imm()}`)), `${l}:`);
      }
    }
    return out;
  };
  const init = regs.map((x) => `mov ${x}, ${r() & 0xffff}`);
  const body = stmts(4 + (r() % 12), true);
  return ['bits 16', 'org 0x7c00', 'xor ax, ax', 'mov ds, ax', 'mov es, ax', 'mov ss, ax', 'mov sp, 0x7000', ...init, `mov cx, ${5 + (r() % 40)}`,
    'top:', ...body, 'dec cx', 'jnz top', 'hlt', ...away, 'sub:', ...stmts(1 + (r() % 5), false), 'ret', ''].join('\n');
}

test('jit: random flag producers and readers around Jcc over short stretches or a JMP, memory operands, ES loads, CALL and RET run as the interpreter runs them', () => {
  let compiled = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const code = assembled(flagProgram(rng(seed * 104729)));
    const runs = bothWays(code, seed, seed % 2 ? '80386' : '80486');
    assert.deepEqual(runs[1].states, runs[0].states, `seed ${seed}`);
    assert.ok(sameRam(runs[1].m.cpu, runs[0].m.cpu), `seed ${seed}: RAM differs`);
    compiled += blocks(runs[1].m.cpu).compiled;
  }
  assert.ok(compiled > 40, `only ${compiled} blocks compiled`);
});

/** `code` runs as the interpreter runs it on the 80386 and the 80486 (bothWays): every slice's state and the RAM. */
function agreeOn386And486(code: number[], seed: number): void {
  for (const model of ['80386', '80486'] as CpuModel[]) {
    const runs = bothWays(code, seed, model);
    assert.deepEqual(runs[1].states, runs[0].states, model);
    assert.ok(sameRam(runs[1].m.cpu, runs[0].m.cpu), `${model}: RAM differs`);
    assert.ok(blocks(runs[1].m.cpu).compiled > 0);
  }
}

test('jit: SHL by a constant (native code, the flags of each model) runs as the interpreter runs it', () => {
  // Byte, word and dword operands, in registers and memory, counts 1 to size - 1, values from a
  // running sum; PUSHF keeps every result's flags on the stack; the 80386 sets AF, later models clear it.
  const src = `bits 16
org 0x7c00
  mov cx, 300
  mov si, 0x1234
  mov sp, 0x7000
top:
  add si, cx
  imul si, si, 0x3b
  mov ax, si
  shl ax, 1
  pushf
  mov bx, si
  shl bl, 7
  pushf
  sal bh, 3
  pushf
  mov edx, esi
  ror edx, 5
  shl edx, 13
  pushf
  mov [0x600], si
  shl word [0x600], 15
  pushf
  shl dword [0x604], 1
  pushf
  add ax, bx
  adc dx, ax
  pushf
  cmp sp, 0x2000
  ja on
  mov sp, 0x7000
on:
  loop top
  hlt
`;
  agreeOn386And486(assembled(src), 9);
});

test('jit: ADC and SBB (native code, CF from the block\'s pending producer or the CPU) run as the interpreter runs them', () => {
  // Byte, word and dword forms, register and memory destinations, immediates (80/81/83); the carry
  // in comes from a CMP in the block, from the loop head (unknown producer), from SHL's flags set in
  // the CPU, from STC/CMC and from ADC itself; PUSHF keeps every result's flags on the stack.
  const src = `bits 16
org 0x7c00
  mov sp, 0x7000
  mov si, 0x9e37
  mov cx, 250
top:
  adc si, cx
  pushf
  imul si, si, 0x3b
  mov ax, si
  mov bx, cx
  cmp ax, bx
  adc al, bh
  pushf
  sbb bx, ax
  pushf
  mov edx, esi
  ror edx, 7
  shl dx, 3
  adc edx, eax
  pushf
  sbb edx, 0x12345678
  pushf
  mov [0x600], si
  cmp cl, 0x80
  adc word [0x600], bx
  pushf
  sbb byte [0x601], 0x7f
  pushf
  stc
  adc dword [0x604], 0xffffffff
  pushf
  cmc
  sbb ax, -1
  pushf
  sbb [0x608], dl
  pushf
  cmp sp, 0x2000
  ja on
  mov sp, 0x7000
on:
  loop top
  hlt
`;
  agreeOn386And486(assembled(src), 11);
});

test('jit: budgets are exact inside compiled loops', () => {
  // A self-loop of 3 instructions: inc ax / inc bx / jmp short back.
  const code = [0x40, 0x43, 0xeb, 0xfc];
  const m = realMode(code);
  for (const n of [1, 2, 3, 5, 100, 1001]) {
    const before = m.cpu.icount;
    runCpu(m.cpu, n);
    assert.equal(m.cpu.icount - before, n);
  }
  // 1+2+3+5+100+1001 = 1112 instructions: 371 incs of AX, 371 of BX (the last round stopped after inc ax).
  assert.equal(m.cpu.r16[0], 371);
  assert.equal(m.cpu.r16[6], 371);
});

test('jit: a breakpoint set inside an already compiled loop stops there', () => {
  const code = [0x40, 0x43, 0x41, 0xeb, 0xfb]; // inc ax / inc bx / inc cx / jmp back
  const m = realMode(code);
  runCpu(m.cpu, 1000);
  assert.ok(blocks(m.cpu).compiled > 0);
  const bps = new BreakpointSet();
  bps.add(0x7c02);
  const r = runCpu(m.cpu, 1000, { breakpoints: bps });
  assert.equal(r, RUN_BREAKPOINT);
  assert.equal(m.cpu.eip, 0x7c02);
  assert.equal(m.cpu.r16[0], m.cpu.r16[2] + 1, 'stopped between inc bx and inc cx');
});

test('jit: a watchpoint hit inside a compiled block stops after the accessing instruction', () => {
  // l: inc ax / mov [0x9000], ax / inc bx / jmp l
  const code = [0x40, 0xa3, 0x00, 0x90, 0x43, 0xeb, 0xf9];
  const m = realMode(code);
  // The debugger's monitor also wraps CALL/RET and friends: blocks then call those entries.
  const mon = new DebugMonitor(m);
  m.run({ maxInstructions: 500 });
  assert.ok(blocks(m.cpu).compiled > 0);
  mon.watch.set([{ id: 1, linear: 0x9000, length: 2, access: 'write' }]);
  const stop = m.run({ maxInstructions: 500 });
  assert.equal(stop.reason, 'pause', JSON.stringify(stop));
  assert.equal(mon.watch.takeHit()?.address, 0x9000);
  assert.equal(m.cpu.eip, 0x7c04, 'stopped after the store');
  assert.equal(m.cpu.r16[0], m.cpu.r16[6] + 1);
});

test('jit: the benchmark loop of test/bench/bench.asm runs as the interpreter runs it, in its layouts with and without paging', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-'));
  for (const defines of [[], ['-DPM'], ['-DSEPDATA'], ['-DPM', '-DSEPDATA'], ['-DPM', '-DPAGING'], ['-DPM', '-DPAGING', '-DSEPDATA']]) {
    const bin = join(dir, 'b.bin');
    execFileSync('nasm', ['-f', 'bin', ...defines, '-DOUTER=3', '-DINNER=200', BENCH_ASM, '-o', bin]);
    const runs = [false, true].map((jit) => {
      const m = new Machine({ cpu: '80386', memoryMB: 16 });
      m.loadBootSector(readFileSync(bin), 0);
      if (!jit) m.cpu.jit = null;
      else blocks(m.cpu).hot = 10;
      const states: string[] = [];
      for (let i = 0; i < 400 && !m.cpu.halted; i++) {
        runCpu(m.cpu, 97);
        states.push(state(m.cpu));
      }
      return { m, states };
    });
    assert.deepEqual(runs[1].states, runs[0].states, defines.join(' '));
    assert.ok(sameRam(runs[0].m.cpu, runs[1].m.cpu));
    assert.equal(runs[1].m.devices.output().debugText, 'D');
    assert.ok(blocks(runs[1].m.cpu).compiled > 3);
    assert.equal(runs[1].m.cpu.sel[CS], runs[0].m.cpu.sel[CS]);
  }
});

test('jit: where the host forbids generating code from strings, everything runs interpreted', () => {
  const script = join(mkdtempSync(join(tmpdir(), 'jit-')), 'nogen.ts');
  writeFileSync(script, `
    import { Machine } from ${JSON.stringify(resolve('emulator/machine.ts'))};
    const m = new Machine({ cpu: '80386', memoryMB: 1 });
    const s = new Uint8Array(512); s.set([0x40, 0x43, 0xeb, 0xfc]); s[510] = 0x55; s[511] = 0xaa;
    m.loadBootSector(s, 0);
    m.run({ maxInstructions: 10000 });
    console.log(JSON.stringify({ ax: m.cpu.r16[0], bx: m.cpu.r16[6], compiled: (m.cpu.jit as any).compiled }));`);
  const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // 10,000 instructions of inc ax / inc bx / jmp: 3,334 rounds of AX, 3,333 of BX.
  assert.deepEqual(JSON.parse(r.stdout.trim()), { ax: 3334, bx: 3333, compiled: 0 });
});

/** A boot from a disk image through the BIOS, with blocks compiled early (`hot`) or none (0). */
function bootMachine(image: Uint8Array, hot: number): Machine {
  const m = new Machine({ hardDisks: [new DiskImage(image, { name: 'disk' })], keys: 'hello\n' });
  const bios = new Bios();
  bios.install(m);
  bios.boot();
  if (hot === 0) m.cpu.jit = null;
  else blocks(m.cpu).hot = hot;
  return m;
}

for (const [name, tools, image] of [['syslinux', 'syslinux', syslinuxImage], ['GRUB', 'grub', grubImage]] as const) {
  test(`jit: booting ${name} (BIOS services, timer and keyboard interrupts, real and protected mode) runs as the interpreter runs it`,
    { skip: missingTools(tools) ?? false }, () => {
      const img = new Uint8Array(readFileSync(image()));
      const [a, b] = [bootMachine(img, 0), bootMachine(img, 20)];
      for (let slice = 0; slice < 30; slice++) {
        const ra = a.run({ maxInstructions: 200_000 });
        const rb = b.run({ maxInstructions: 200_000 });
        assert.equal(rb.reason, ra.reason);
        assert.equal(state(b.cpu), state(a.cpu), `${name} after ${a.cpu.icount} instructions`);
        if (ra.reason !== 'max') break;
      }
      assert.ok(sameRam(a.cpu, b.cpu), `${name}: RAM differs`);
      assert.deepEqual(b.devices.output(), a.devices.output());
      assert.ok(blocks(b.cpu).compiled > 20, `only ${blocks(b.cpu).compiled} blocks compiled`);
    });
}
