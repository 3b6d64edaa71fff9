// @tier full
// Compiled blocks under paging (emulator/cpu/jit) against the interpreter: the same programs, run
// both ways in the same slices, must leave the same architectural state after every slice (CR2
// included) and the same RAM. Random code at CPL 0 and 3 while, between slices, page-table entries
// flip (not present, read-only, supervisor, another frame: aliases of the code's page), CR3
// switches between two directories, CR0.WP toggles, INVLPG drops pages and bytes of the running
// code change through an alias; and a program that does all of that itself, with page faults in
// the middle of compiled loops and self-modifying code through an alias, compared after every slice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cpu } from '../../emulator/cpu/cpu';
import { runCpu } from '../../emulator/cpu/execute';
import { writeCr0 } from '../../emulator/cpu/exec/system';
import { FAULT } from '../../emulator/cpu/faults';
import { peekTranslate } from '../../emulator/cpu/protected/paging';
import { CR0_PG, CR0_WP, CS, EBX, ECX, EDI, EDX, ESP } from '../../emulator/cpu/regs';
import { PF_WATCH_W } from '../../emulator/memory/pageFlags';
import { rng, setup } from '../pm/fuzzSetup';
import { CODE, pmCpu } from '../pm/pmSetup';
import { blocks, state } from './jitState';
import { Flow, trace } from '../../emulator/cpu/jit/trace';

function sameRam(a: Cpu, b: Cpu): boolean {
  return Buffer.compare(Buffer.from(a.ram.buffer, a.ram.byteOffset, a.ram.length), Buffer.from(b.ram.buffer, b.ram.byteOffset, b.ram.length)) === 0;
}

/** The random machines' second directory (CR3 switches between 40000h and this one). */
const PD1 = 0x42000, PT1 = 0x43000;

/** Pages that stay identity-mapped, present and writable: the tables, GDT, IDT, TSS and stack (so runs go on). */
const SYSTEM = (page: number) => page < 8 || (page >= 0x40 && page <= 0x43);

/**
 * fuzzSetup's random machine with paging on at CPL 0 or, from its ring 3 mode, CPL 3: the first
 * 256 pages mapped at random (its PT at 41000h), and a second directory whose table maps them at
 * random too, half of them onto the code's pages 8-15 (aliases).
 */
function pagedMachine(seed: number, ring3: boolean): Cpu {
  const cpu = setup(ring3 ? 'ring3' : 'paging', seed, '80386');
  const r = rng(seed ^ 0x5bd1e995);
  const mem = cpu.mem;
  mem.write32(0x40000, 0x41007);
  mem.write32(PD1, PT1 | 7);
  for (let i = 0; i < 256; i++) {
    const bits = (r() & 0x67) | (r() & 7 ? 1 : 0);
    mem.write32(0x41000 + i * 4, SYSTEM(i) ? (i << 12) | 7 : (i << 12) | bits);
    mem.write32(PT1 + i * 4, SYSTEM(i) ? (i << 12) | 7 : ((r() & 1 ? 8 + (r() & 7) : i) << 12) | (r() & 0x67) | (r() & 7 ? 1 : 0));
  }
  cpu.cr3 = 0x40000;
  cpu.cr0 |= CR0_PG;
  cpu.updateMode();
  return cpu;
}

/** One change to paging between slices, the same on both machines (`pick` is drawn once for both). */
function disturb(cpu: Cpu, pick: number[]): void {
  const [kind, a, b] = pick;
  const page = SYSTEM(a & 0xff) ? 8 + (a & 0x37) : a & 0xff, table = cpu.cr3 === PD1 ? PT1 : 0x41000;
  switch (kind % 6) {
    case 0: {
      // A PTE of the current table: another frame (often one of the code's pages) and random bits.
      const frame = b & 1 ? 8 + ((b >>> 1) & 7) : page;
      cpu.mem.write32(table + page * 4, (frame << 12) | ((b >>> 4) & 0x67) | ((b >>> 12) & 3 ? 1 : 0));
      break;
    }
    case 1: cpu.tlbInvalidate(cpu, page << 12); break;
    case 2: cpu.cr3 = cpu.cr3 === PD1 ? 0x40000 : PD1; cpu.tlbFlush(cpu); break;
    case 3: writeCr0(cpu, cpu.cr0 ^ CR0_WP); break;
    case 4: {
      // A byte of the code ahead, written through an alias (linear page 90h, made to map the code's frame).
      const phys = peekTranslate(cpu, (cpu.base[CS] + cpu.eip) >>> 0);
      if (phys < 0) break;
      cpu.mem.write32(table + 0x90 * 4, (phys & ~0xfff) | 7);
      cpu.tlbInvalidate(cpu, 0x90000);
      try {
        cpu.writeLin8((0x90000 | ((phys + (b & 31)) & 0xfff)) >>> 0, b >>> 8);
      } catch (e) {
        if (e !== FAULT) throw e;
      }
      break;
    }
    default:
      // A PTE changed without INVLPG: the TLB keeps the old translation until something drops it.
      cpu.mem.write32(table + page * 4, cpu.mem.read32(table + page * 4) ^ (b & 0x7007));
  }
}

for (const ring3 of [false, true]) {
  test(`jit paging ${ring3 ? 'CPL 3' : 'CPL 0'}: random code under PTE flips, aliases, CR3 switches, CR0.WP and INVLPG runs as the interpreter runs it`, () => {
    let compiled = 0, ran = 0, disturbed = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const s = seed * 7919 + (ring3 ? 3 : 0);
      const a = pagedMachine(s, ring3), b = pagedMachine(s, ring3);
      a.jit = null;
      blocks(b).hot = 1;
      const r = rng(seed);
      while (a.icount < 4000 && !a.shutdown && !a.halted) {
        const n = 1 + (r() % 60);
        runCpu(a, n);
        runCpu(b, n);
        assert.equal(state(b), state(a), `seed ${s} at ${a.icount}`);
        if (r() % 3 === 0) {
          const pick = [r(), r(), r()];
          disturb(a, pick);
          disturb(b, pick);
          disturbed++;
          assert.equal(state(b), state(a), `seed ${s} at ${a.icount}, after disturbing ${pick[0] % 6}`);
        }
      }
      assert.ok(sameRam(a, b), `seed ${s}: RAM differs`);
      compiled += blocks(b).compiled;
      ran += a.icount;
    }
    assert.ok(compiled > 100, `only ${compiled} blocks compiled`);
    assert.ok(ran > 20_000, `only ${ran} instructions ran`);
    assert.ok(disturbed > 500, `only ${disturbed} disturbances`);
  });
}

/** pmCpu with pagingTorture.asm at CODE and the tables its header describes. */
function tortureMachine(bin: Uint8Array): Cpu {
  const cpu = pmCpu();
  const m = cpu.mem;
  m.poke(CODE, bin);
  const PD0 = 0x30000, PT0 = 0x31000, PD = 0x32000, PT = 0x33000;
  m.write32(PD0, PT0 | 3);
  m.write32(PD, PT | 3);
  for (let i = 0; i < 0x80; i++) {
    m.write32(PT0 + i * 4, (i << 12) | 3);
    m.write32(PT + i * 4, (i << 12) | 3);
  }
  m.write32(PT0 + 0x55 * 4, 0x55000 | 1); // read-only: a supervisor write faults only with CR0.WP
  m.write32(PT + 0x57 * 4, 0x5f000 | 3); // another frame under the second directory
  m.write32(PT0 + 0x70 * 4, 0x10000 | 3); // an alias of the code's page
  m.write32(PT + 0x70 * 4, 0x10000 | 3);
  cpu.cr3 = PD0;
  cpu.cr0 |= CR0_PG;
  cpu.updateMode();
  cpu.tlbFlush(cpu);
  cpu.r32[ESP] = 0x9000;
  return cpu;
}

test('jit paging: page faults inside compiled loops, self-modifying code through an alias, CR3/CR0.WP/INVLPG in blocks, compared after every slice', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'jitpaging-')), 'torture.bin');
  execFileSync('nasm', ['-f', 'bin', '-o', out, join(__dirname, 'fixtures', 'pagingTorture.asm')]);
  const bin = new Uint8Array(readFileSync(out));
  for (const hot of [1, 3, 50]) {
    const a = tortureMachine(bin), b = tortureMachine(bin);
    a.jit = null;
    blocks(b).hot = hot;
    const r = rng(hot);
    while (!a.halted && !a.shutdown && a.icount < 200_000) {
      const n = 1 + (r() % 40);
      runCpu(a, n);
      runCpu(b, n);
      assert.equal(state(b), state(a), `hot ${hot} at ${a.icount}`);
    }
    assert.ok(a.halted && !a.shutdown, `hot ${hot}: ended at ${a.eip.toString(16)} after ${a.icount} (exception ${a.lastException})`);
    assert.ok(sameRam(a, b), `hot ${hot}: RAM differs`);
    // The immediates patched through the alias add up to 0 + 1 + ... + 119; the faults happened.
    assert.equal(b.r32[EBX], (119 * 120) / 2);
    assert.ok(b.r32[EDI] > 100, `only ${b.r32[EDI]} page faults`);
    assert.ok(blocks(b).compiled > 5, `only ${blocks(b).compiled} blocks compiled`);
  }
  // REP MOVS/STOS take their RAM path under paging where the TLB maps the string's page: with a
  // write-watch bit on every page only the accessor loop runs, and the program ends the same.
  const [a, c] = [tortureMachine(bin), tortureMachine(bin)];
  a.jit = c.jit = null;
  c.mem.pageFlags.fill(PF_WATCH_W, 0, c.mem.ramSize >>> 12);
  c.mem.observer = { onRead: () => {}, onWrite: () => {} };
  runCpu(a, 1_000_000);
  runCpu(c, 1_000_000);
  assert.ok(a.halted);
  assert.equal(state(c), state(a));
  assert.ok(sameRam(a, c), 'RAM differs between the RAM path and the accessor loop');
});

/**
 * Code whose own page moves under it: each round switches CR3 (the two directories map the code's
 * linear page to frames 10000h and 20000h, whose copies differ in the instruction after the switch),
 * then changes the page's PTE and drops it with INVLPG. The instruction after either must come from
 * the new frame, inside a compiled block too.
 */
const MOVING_CODE = `bits 32
org 0x10000
    mov esi, 0x30000
    mov edi, 0x32000
    mov edx, 100
l1: xchg esi, edi
    mov cr3, esi
after1:
    inc ebx
    dec edx
    jnz l1
    mov edx, 100
l2: xor dword [0x31000 + 0x10 * 4], 0x30000
    invlpg [0x10000]
after2:
    inc ebx
    dec edx
    jnz l2
    hlt
`;

/**
 * A paging CPU with `bin` at CODE (frame 10000h) and `other` in frame 20000h, and two directories:
 * 30000h maps the first 512 KiB to itself, 32000h the same but for linear 10000h, which it maps to
 * frame 20000h. Compiled blocks (made at the second run) or the interpreter alone.
 */
function twoFrames(bin: Uint8Array, other: Uint8Array, jit: boolean): Cpu {
  const cpu = pmCpu();
  const m = cpu.mem;
  m.poke(CODE, bin);
  m.poke(0x20000, other);
  m.write32(0x30000, 0x31003);
  m.write32(0x32000, 0x33003);
  for (let i = 0; i < 0x80; i++) {
    m.write32(0x31000 + i * 4, (i << 12) | 3);
    m.write32(0x33000 + i * 4, ((i === 0x10 ? 0x20 : i) << 12) | 3);
  }
  cpu.cr3 = 0x30000;
  cpu.cr0 |= CR0_PG;
  cpu.updateMode();
  cpu.tlbFlush(cpu);
  if (jit) blocks(cpu).hot = 2;
  else cpu.jit = null;
  return cpu;
}

test('jit paging: the instruction after a MOV CR3 or INVLPG that moves the code\'s own page comes from the new frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitpaging-'));
  writeFileSync(join(dir, 'm.asm'), MOVING_CODE);
  execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'm.bin'), '-l', join(dir, 'm.lst'), join(dir, 'm.asm')]);
  const bin = new Uint8Array(readFileSync(join(dir, 'm.bin')));
  // The copy in frame 20000h has INC ECX (41h) where frame 10000h has INC EBX (43h).
  const other = bin.slice();
  for (let i = 0; i + 1 < other.length; i++) if (bin[i] === 0x43 && bin[i + 1] === 0x4a) other[i] = 0x41;
  const runs = [false, true].map((jit) => {
    const cpu = twoFrames(bin, other, jit);
    const states: string[] = [];
    for (let i = 0; i < 2000 && !cpu.halted; i++) {
      runCpu(cpu, 1 + (i % 13));
      states.push(state(cpu));
    }
    return { cpu, states };
  });
  assert.deepEqual(runs[1].states, runs[0].states);
  const [a, b] = [runs[0].cpu, runs[1].cpu];
  assert.ok(a.halted);
  // Each loop alternates between the frames: 50 rounds ran INC EBX, 50 INC ECX, in each loop.
  assert.deepEqual([b.r32[EBX], b.r32[ECX]], [100, 100]);
  assert.ok(blocks(b).compiled > 2, `only ${blocks(b).compiled} blocks compiled`);
});

/**
 * Two address spaces whose code sits at the same linear page (a loader and its kernel, two
 * processes): each round runs a loop, then switches CR3 to the other directory, whose frame holds
 * the same loop with INC EDX where this one has INC EBX, and goes on at the same linear address.
 */
const TWO_SPACES = `bits 32
org 0x10000
    mov esi, 0x30000
    mov edi, 0x32000
    mov ebp, 60
round:
    mov ecx, 30
l:  inc ebx
    dec ecx
    jnz l
    xchg esi, edi
    mov cr3, esi
    dec ebp
    jnz round
    hlt
`;

test('jit paging: blocks of two address spaces at the same linear address both survive CR3 switches (no recompiling at each switch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitpaging-'));
  writeFileSync(join(dir, 's.asm'), TWO_SPACES);
  execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 's.bin'), join(dir, 's.asm')]);
  const bin = new Uint8Array(readFileSync(join(dir, 's.bin')));
  const other = bin.slice();
  other[bin.indexOf(0x43)] = 0x42; // INC EBX → INC EDX in the second space's frame
  const runs = [false, true].map((jit) => {
    const cpu = twoFrames(bin, other, jit);
    const states: string[] = [];
    while (!cpu.halted && cpu.icount < 100_000) {
      runCpu(cpu, 37);
      states.push(state(cpu));
    }
    return { cpu, states };
  });
  assert.deepEqual(runs[1].states, runs[0].states);
  const b = runs[1].cpu;
  assert.ok(b.halted);
  assert.deepEqual([b.r32[EBX], b.r32[EDX]], [30 * 30, 30 * 30]);
  // 59 switches: recompiling the entry after each (as when one space's block evicted the other's)
  // would make at least 59 blocks; the slices' odd stops make a few new entries.
  assert.ok(blocks(b).compiled >= 4 && blocks(b).compiled < 20, `${blocks(b).compiled} blocks compiled`);
});

test('jit paging: a block goes on past JMP FAR through a pointer the TLB maps (the bench loop\'s far jump), and not where it does not', () => {
  const cpu = pmCpu();
  const m = cpu.mem;
  // jmp far [0x10100]; at 10006h: inc ebx; hlt. The pointer says 0008:00010006.
  m.poke(CODE, new Uint8Array([0xff, 0x2d, 0x00, 0x01, 0x01, 0x00, 0x43, 0xf4]));
  m.poke(0x10100, new Uint8Array([0x06, 0x00, 0x01, 0x00, 0x08, 0x00]));
  m.write32(0x30000, 0x31003);
  for (let i = 0; i < 0x80; i++) m.write32(0x31000 + i * 4, (i << 12) | 3);
  cpu.cr3 = 0x30000;
  cpu.cr0 |= CR0_PG;
  cpu.updateMode();
  cpu.tlbFlush(cpu);
  const flows = () => trace(cpu, CODE, CODE, () => false)!.items.map((i) => i.flow);
  // Not in the TLB yet: the block ends at the jump (reading the pointer would walk the tables).
  assert.deepEqual(flows(), [Flow.End]);
  cpu.translate(cpu, 0x10100, false);
  assert.deepEqual(flows(), [Flow.FarJump, Flow.Next, Flow.End]);
  blocks(cpu).hot = 1;
  runCpu(cpu, 10);
  assert.ok(cpu.halted);
  assert.equal(cpu.r32[EBX], 1);
});
