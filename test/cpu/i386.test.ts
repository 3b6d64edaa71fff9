// 80386 corners that test386.asm (a 386 test ROM run by scripts/test386.sh) found, each proven here
// by a program of ours on a hand-built CPU: the Intel 386 Programmer's Reference Manual (1986) and
// the SDM for the rule, Bochs 2.7 where the manuals are silent. Node-only test code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepOne } from '../../emulator/cpu/execute';
import { PF as PAGE_FAULT, SS_FAULT } from '../../emulator/cpu/faults';
import {
  DS, EAX, EBP, EBX, ECX, EDX, EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_ZF, ESP, SS,
} from '../../emulator/cpu/regs';
import { CODE, code, desc, faultOf, pagingCpu, pmCpu } from '../pm/pmSetup';

test('POP SS pops and steps SP by the old stack size: a 16-bit stack wraps SP and keeps ESP[31:16]', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x18, 0x20000, 0xffff, 0x92, 0); // 16-bit stack
  cpu.setCache(SS, 0x18, 0x20000, 0xffff, 0x93);
  cpu.mem.write32(0x20000 + 0xfffc, 0x10);
  cpu.r32[ESP] = 0x0002fffc;
  code(cpu, [0x17]); // pop ss (32-bit operand), into the flat 32-bit stack segment 10h
  stepOne(cpu);
  assert.equal(cpu.sel[SS], 0x10);
  assert.equal(cpu.r32[ESP], 0x00020000);
  // The other way: a 32-bit stack steps all of ESP even when the new SS is 16-bit.
  cpu.mem.write16(0x0003fffe, 0x18);
  cpu.r32[ESP] = 0x0003fffe;
  cpu.eip = CODE;
  code(cpu, [0x66, 0x17]); // o16 pop ss
  stepOne(cpu);
  assert.equal(cpu.sel[SS], 0x18);
  assert.equal(cpu.r32[ESP], 0x00040000);
});

test('LDS with a 32-bit offset at or above 80000000h reads the selector after it', () => {
  const cpu = pmCpu();
  // DS's base puts offset 80001000h at linear 3000h.
  const base = (0x3000 - 0x80001000) >>> 0;
  desc(cpu.mem, 0x18, base, 0xfffff, 0x92, 0xc);
  cpu.setCache(DS, 0x18, base, 0xffffffff, 0xc093);
  cpu.mem.write32(0x3000, 0x12345678);
  cpu.mem.write16(0x3004, 0x10);
  code(cpu, [0xc5, 0x1d, 0x00, 0x10, 0x00, 0x80]); // lds ebx, [0x80001000]
  stepOne(cpu);
  assert.equal(cpu.r32[EBX], 0x12345678);
  assert.equal(cpu.sel[DS], 0x10);
});

test('32-bit ENTER on a 16-bit stack takes all of ESP as the frame pointer', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x18, 0x20000, 0xffff, 0x92, 0);
  cpu.setCache(SS, 0x18, 0x20000, 0xffff, 0x93);
  cpu.r32[ESP] = 0x00010000;
  cpu.r32[EBP] = 0x1234fff0;
  code(cpu, [0xc8, 0x08, 0x00, 0x01]); // enter 8, 1
  stepOne(cpu);
  assert.equal(cpu.r32[EBP], 0x0001fffc); // SP wrapped to FFFC under the kept ESP[31:16]
  assert.equal(cpu.r32[ESP], 0x0001fff0); // EBP, frame pointer, 8 bytes
  assert.equal(cpu.mem.read32(0x2fffc), 0x1234fff0);
  assert.equal(cpu.mem.read32(0x2fff8), 0x0001fffc);
});

test('ENTER checks a write at the final stack pointer and faults as a whole', () => {
  const cpu = pagingCpu();
  cpu.r32[ESP] = 0x53004; // EBP goes to page 53000h; the allocation reaches the not-present 52000h
  cpu.r32[EBP] = 0x777;
  code(cpu, [0xc8, 0x08, 0x00, 0x00]); // enter 8, 0
  assert.deepEqual(faultOf(() => stepOne(cpu)), [PAGE_FAULT, 2]); // a write to a not-present page
  assert.equal(cpu.cr2, 0x52ff8);
  assert.equal(cpu.r32[ESP], 0x53004);
  assert.equal(cpu.r32[EBP], 0x777);
  // Beyond the stack limit: #SS(0), nothing changed.
  const flat = pmCpu();
  desc(flat.mem, 0x18, 0, 0xfffff, 0x92, 0x4); // 32-bit, byte-granular limit FFFFFh
  flat.setCache(SS, 0x18, 0, 0xfffff, 0x4093);
  flat.r32[ESP] = 0x104;
  code(flat, [0x66, 0xc8, 0x00, 0x02, 0x00]); // o16 enter 200h, 0
  assert.deepEqual(faultOf(() => stepOne(flat)), [SS_FAULT, 0]);
  assert.equal(flat.r32[ESP], 0x104);
});

test('16-bit SHLD shifts the source in from its top bits; counts 17-31 shift the destination in again', () => {
  const run = (count: number): [number, number] => {
    const cpu = pmCpu();
    cpu.r32[EAX] = 0x1234;
    cpu.r32[EDX] = 0xabcd;
    code(cpu, [0x66, 0x0f, 0xa4, 0xd0, count]); // shld ax, dx, count
    stepOne(cpu);
    return [cpu.r16[EAX * 2], cpu.getFlags() & EFLAGS_CF];
  };
  assert.deepEqual(run(8), [0x34ab, 0]); // CF: bit 8 of 1234h
  assert.deepEqual(run(4), [0x234a, 1]); // CF: bit 12 of 1234h
  // Undefined by the SDM; the 80386 (and Bochs) shift the 48-bit dst:src:dst.
  assert.deepEqual(run(20), [0xbcd1, 0]);
});

test('POPAD on a 16-bit stack: the 80386 loads ESP[31:16] from the popped ESP image and steps SP; the 80486 and Pentium keep ESP[31:16]', () => {
  for (const [model, esp] of [['80386', 0xcafefff0], ['80486', 0x0005fff0], ['pentium', 0x0005fff0]] as const) {
    const cpu = pmCpu(model);
    desc(cpu.mem, 0x18, 0x20000, 0xffff, 0x92, 0);
    cpu.setCache(SS, 0x18, 0x20000, 0xffff, 0x93);
    for (let i = 0; i < 8; i++) cpu.mem.write32(0x2ffd0 + i * 4, i === 3 ? 0xcafe1234 : 0x100 + i); // EDI..EAX, ESP image 4th
    cpu.r32[ESP] = 0x0005ffd0;
    code(cpu, [0x61]); // popad
    stepOne(cpu);
    assert.equal(cpu.r32[ESP], esp, model);
    assert.equal(cpu.r32[EBX], 0x104);
    assert.equal(cpu.r32[EAX], 0x107);
  }
});

test('SIB without an index but with a scale: the 80386 scales the base', () => {
  const lea = (bytes: number[]): number => {
    const cpu = pmCpu();
    cpu.r32[EBX] = 0x100;
    code(cpu, bytes);
    stepOne(cpu);
    return cpu.r32[EAX];
  };
  assert.equal(lea([0x8d, 0x04, 0xa3]), 0x400); // lea eax, [sib 10 100 011]: EBX * 4
  assert.equal(lea([0x8d, 0x44, 0x63, 0x10]), 0x210); // EBX * 2 + 10h
  assert.equal(lea([0x8d, 0x04, 0x23]), 0x100); // scale 1: EBX
  assert.equal(lea([0x8d, 0x04, 0xe5, 0x78, 0x56, 0x34, 0x12]), 0x12345678); // no base: disp32 alone
});

const CF = EFLAGS_CF, PF = EFLAGS_PF, AF = EFLAGS_AF, ZF = EFLAGS_ZF, SF = EFLAGS_SF, OF = EFLAGS_OF;
const ARITH = CF | PF | AF | ZF | SF | OF;

/** Runs one instruction with AX, CL and the arithmetic flags given; returns [AX, arithmetic flags]. */
function arith(model: '80386' | '80286', bytes: number[], ax: number, flags = 0, cl = 0): [number, number] {
  const cpu = pmCpu(model);
  cpu.r32[EAX] = ax;
  cpu.r32[ECX] = cl;
  cpu.setFlags((cpu.getFlags() & ~ARITH) | flags);
  cpu.eip = 0x9000; // inside the 80286's 64 KiB code segment
  cpu.mem.poke(0x9000, new Uint8Array(bytes));
  stepOne(cpu);
  return [cpu.r16[EAX * 2], cpu.getFlags() & ARITH];
}

test('AAA, AAS, AAD, DAA and DAS write the flags the manuals leave undefined as the 80386 does; the 80286 keeps its own', () => {
  assert.deepEqual(arith('80386', [0x37], 0x007f), [0x0105, CF | AF | SF | OF]); // AAA: AL 7Fh → 85h before masking
  assert.deepEqual(arith('80386', [0x37], 0x0000, AF), [0x0106, CF | AF | PF]); // AAA by AF: ZF clear
  assert.deepEqual(arith('80386', [0x37], 0x0000), [0x0000, ZF | PF]);
  assert.deepEqual(arith('80286', [0x37], 0x007f), [0x0105, CF | AF]);
  assert.deepEqual(arith('80386', [0x3f], 0x008a), [0xff04, CF | AF | SF | PF]); // AAS: AL 84h before masking
  assert.deepEqual(arith('80386', [0x3f], 0x0083, AF), [0xff0d, CF | AF | OF | PF]);
  assert.deepEqual(arith('80286', [0x3f], 0x008a, OF), [0xff04, CF | AF | OF]);
  assert.deepEqual(arith('80386', [0xd5, 0x0a], 0x0c7f), [0x00f7, AF | SF | OF]); // AAD: 7Fh + 78h as a byte ADD
  assert.deepEqual(arith('80286', [0xd5, 0x0a], 0x0c7f, CF | OF), [0x00f7, SF]);
  assert.deepEqual(arith('80386', [0x27], 0x007a), [0x0080, AF | SF | OF]); // DAA: 7Ah + 6 overflows
  assert.deepEqual(arith('80286', [0x27], 0x007a), [0x0080, AF | SF]);
  assert.deepEqual(arith('80386', [0x2f], 0x0085, CF), [0x0025, CF | OF]); // DAS: 85h - 60h overflows
});

test('SHL/SHR set AF on the 80386; a byte shifted by 16 or 24 sets CF and OF as by 8', () => {
  assert.deepEqual(arith('80386', [0xd2, 0xe0], 0x0003, 0, 16), [0x0000, CF | OF | AF | ZF | PF]); // shl al, cl
  assert.deepEqual(arith('80386', [0xd2, 0xe0], 0x0003, 0, 8), [0x0000, CF | OF | AF | ZF | PF]);
  assert.deepEqual(arith('80286', [0xd2, 0xe0], 0x0003, 0, 16), [0x0000, ZF | PF]);
  assert.deepEqual(arith('80386', [0x66, 0xc1, 0xe8, 0x04], 0x8001), [0x0800, AF | PF]); // shr ax, 4
  assert.deepEqual(arith('80286', [0xc1, 0xe8, 0x04], 0x8001), [0x0800, PF]);
});

test('BT, BTS, BTR, BTC set OF as the 80386 rotate that brings the bit into CF does', () => {
  const bt = (bytes: number[], eax: number): number => {
    const cpu = pmCpu();
    cpu.r32[EAX] = eax;
    code(cpu, bytes);
    stepOne(cpu);
    return cpu.getFlags() & (CF | OF);
  };
  assert.equal(bt([0x0f, 0xba, 0xe0, 0x05], 0x30), CF | OF); // bt eax, 5: bit 4 xor bit 3
  assert.equal(bt([0x0f, 0xba, 0xe0, 0x05], 0x38), CF); // bits 4 and 3 equal
  assert.equal(bt([0x0f, 0xba, 0xe0, 0x00], 0x80000000), OF); // bit 0: OF is the top bit
  assert.equal(bt([0x66, 0x0f, 0xba, 0xe8, 0x01], 0x0001), OF); // bts ax, 1: OF is bit 0
});

test('SHLD and SHRD match the wide shift they are defined by, every count, both widths, register and flags', () => {
  // The definition, slowly: shift the 64-bit dst:src (SHLD) / src:dst (SHRD), or the 80386's 48-bit
  // dst:src:dst for 16-bit operands, and take the destination's bits and the last bit out.
  const wideShift = (left: boolean, dst: number, src: number, c: number, bits: 16 | 32): [number, number] => {
    const [d, s, b] = [BigInt(dst), BigInt(src), BigInt(bits)];
    const total = bits === 32 ? 64n : 48n;
    const mask = (1n << b) - 1n;
    const n = BigInt(c);
    if (left) {
      const wide = bits === 32 ? d << 32n | s : d << 32n | s << 16n | d;
      return [Number(((wide << n) >> (total - b)) & mask), Number((wide >> (total - n)) & 1n)];
    }
    const wide = s << b | d | (bits === 16 ? d << 32n : 0n);
    return [Number((wide >> n) & mask), Number((wide >> (n - 1n)) & 1n)];
  };
  let seed = 0x2545f491;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const edges = [0, 1, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678];
  const cpu = pmCpu();
  for (const bits of [16, 32] as const) {
    const mask = bits === 32 ? 0xffffffff : 0xffff;
    for (const left of [true, false]) {
      for (let k = 0; k < 400; k++) {
        const dst = ((k < edges.length ? edges[k] : rand()) & mask) >>> 0;
        const src = ((k < edges.length ? edges[(k * 5) % edges.length] : rand()) & mask) >>> 0;
        const c = k % 32;
        cpu.eip = CODE;
        cpu.r32[EAX] = dst;
        cpu.r32[EDX] = src;
        cpu.r32[ECX] = c;
        // shld/shrd eax, edx, cl (pmCpu runs a 32-bit code segment: o16 for 16-bit operands).
        code(cpu, [...(bits === 16 ? [0x66] : []), 0x0f, left ? 0xa5 : 0xad, 0xd0]);
        const before = cpu.getFlags();
        stepOne(cpu);
        const got = bits === 32 ? cpu.r32[EAX] >>> 0 : cpu.r16[EAX * 2];
        const what = `${left ? 'shld' : 'shrd'}${bits} ${dst.toString(16)}, ${src.toString(16)}, ${c}`;
        if (c === 0) {
          assert.deepEqual([got, cpu.getFlags()], [dst, before], what);
          continue;
        }
        const [res, cf] = wideShift(left, dst, src, c, bits);
        const sign = bits === 32 ? 0x80000000 : 0x8000;
        const flags = cpu.getFlags();
        assert.deepEqual([got, flags & EFLAGS_CF, flags & EFLAGS_OF, flags & EFLAGS_ZF, flags & EFLAGS_SF],
          [res, cf ? EFLAGS_CF : 0, (res ^ dst) & sign ? EFLAGS_OF : 0, res === 0 ? EFLAGS_ZF : 0, res & sign ? EFLAGS_SF : 0], what);
      }
    }
  }
});
