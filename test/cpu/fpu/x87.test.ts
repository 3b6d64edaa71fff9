// The x87 unit (emulator/cpu/fpu/x87.ts) on known bit patterns: rounding and precision control,
// the constants, stack overflow/underflow responses, unmasked overflow's bias adjustment, ES/B,
// tags, FXAM, packed BCD, FPREM's quotient bits, and the FSTENV/FSAVE images in their four layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X87, OP_ADD, OP_DIV, OP_MUL, type MemFormat, type MemValue } from '../../../emulator/cpu/fpu/x87';
import { fromBytes, fromHex, toBytes, toHex } from '../../../emulator/cpu/fpu/float80';

function ld(f: X87, hex: string): void {
  const b = new Uint8Array(10);
  toBytes(fromHex(hex), b);
  f.fldMem('m80', b);
}

function fresh(cw = 0x037f): X87 {
  const f = new X87();
  f.fninit();
  f.fldcw(cw);
  return f;
}

const ONE = '3fff8000000000000000', THREE = '4000c000000000000000';

test('1/3 under each precision and rounding control', () => {
  const third = (cw: number): string => {
    const f = fresh(cw);
    ld(f, THREE);
    ld(f, ONE);
    f.arith(OP_DIV, 0, 1, false);
    return toHex(f.st(0));
  };
  assert.equal(third(0x037f), '3ffdaaaaaaaaaaaaaaab'); // 64 bits, nearest
  assert.equal(third(0x0f7f), '3ffdaaaaaaaaaaaaaaaa'); // 64 bits, toward zero
  assert.equal(third(0x027f), '3ffdaaaaaaaaaaaaa800'); // 53 bits, nearest (the double 1/3)
  assert.equal(third(0x007f), '3ffdaaaaab0000000000'); // 24 bits, nearest (the float 1/3)
  assert.equal(third(0x087f), '3ffdaaaaab0000000000'); // 24 bits, up
  const f = fresh();
  ld(f, THREE);
  ld(f, ONE);
  f.arith(OP_DIV, 0, 1, false);
  assert.equal(f.status() & 0x3f, 0x20, 'PE');
  assert.equal(f.status() & 0x200, 0x200, 'C1: rounded up');
});

test('FLDPI rounds its constant per RC; FLD1/FLDZ', () => {
  const pi = (cw: number): string => {
    const f = fresh(cw);
    f.fldConst('pi');
    assert.equal(f.status() & 0x3f, 0, 'no PE');
    return toHex(f.st(0));
  };
  assert.equal(pi(0x037f), '4000c90fdaa22168c235');
  assert.equal(pi(0x077f), '4000c90fdaa22168c234');
  const f = fresh();
  f.fldConst('l2e');
  assert.equal(toHex(f.st(0)), '3fffb8aa3b295c17f0bc');
  f.fldConst('ln2');
  assert.equal(toHex(f.st(0)), '3ffeb17217f7d1cf79ac');
});

test('stack overflow and underflow: masked responses, C1, SF', () => {
  const f = fresh();
  for (let i = 0; i < 8; i++) f.fldConst('1');
  assert.equal(f.tagWord(), 0x0000);
  f.fldConst('z');
  assert.equal(f.status() & 0x2c1, 0x241, 'masked: IE SF C1, no ES');
  assert.equal(toHex(f.st(0)), 'ffffc000000000000000', 'indefinite pushed');
  const g = fresh();
  g.arith(OP_ADD, 0, 1, false);
  assert.equal(g.status() & 0x2c1, 0x41, 'underflow: IE SF, C1 = 0');
  assert.equal(toHex(g.st(0)), 'ffffc000000000000000');
  // Unmasked IE: nothing changes but ES/B.
  const h = fresh(0x037e);
  h.arith(OP_ADD, 0, 1, false);
  assert.equal(h.status(), 0x80c1);
  assert.ok(h.isEmpty(0));
  assert.ok(h.pending());
});

test('unmasked overflow delivers the bias-adjusted result to a register, none to memory', () => {
  const f = fresh(0x0377); // OE unmasked
  ld(f, '7ffe8000000000000000');
  ld(f, '7ffe8000000000000000');
  f.arith(OP_MUL, 0, 1, false);
  // 2^16383 squared: biased exponent 0xbffd, wrapped by 24576 (0x6000)
  assert.equal(toHex(f.st(0)), '5ffd8000000000000000');
  assert.equal(f.status() & 0xff, 0x88, 'OE ES');
  const g = fresh(0x0377);
  ld(g, '7ffe8000000000000000');
  assert.equal(g.fstMem('m64', false), null);
  assert.equal(g.status() & 0xff, 0x88);
  const m = fresh();
  ld(m, '7ffe8000000000000000');
  assert.equal(m.fstMem('m64', false), 0x7ff0000000000000n, 'masked: infinity');
});

test('FLDCW unmasking a raised flag sets ES and B; FNCLEX clears them', () => {
  const f = fresh();
  f.fldConst('z');
  ld(f, ONE);
  f.arith(OP_DIV, 0, 1, false);
  assert.equal(f.status() & 0x8084, 0x0004);
  f.fldcw(0x037b);
  assert.equal(f.status() & 0x8084, 0x8084);
  f.fnclex();
  assert.equal(f.status() & 0x80ff, 0);
});

test('FXAM classes and tags', () => {
  const cases: [string, number, number][] = [
    ['7fffc000000000000000', 0x0100, 2], // NaN
    ['3fff8000000000000000', 0x0400, 0], // normal
    ['7fff8000000000000000', 0x0500, 2], // infinity
    ['80000000000000000000', 0x4200, 1], // −0: zero, C1 sign
    ['00000000000000000001', 0x4400, 2], // denormal
    ['3fff4000000000000000', 0x0000, 2], // unnormal: unsupported
  ];
  for (const [hex, cc, tag] of cases) {
    const f = fresh();
    ld(f, hex);
    f.fxam();
    assert.equal(f.status() & 0x4700, cc, hex);
    assert.equal(f.tag(f.phys(0)), tag, hex);
  }
  const e = fresh();
  e.fxam();
  assert.equal(e.status() & 0x4500, 0x4100, 'empty');
});

test('packed BCD round trip and the BCD indefinite', () => {
  const f = fresh();
  const bcd = new Uint8Array([0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80]);
  f.fldMem('bcd', bcd);
  assert.equal(toHex(f.st(0)), 'c038' + (234567890123456789n << 6n).toString(16)); // 58 significant bits
  assert.deepEqual(f.fstMem('bcd', true), bcd);
  ld(f, '403b8000000000000000'); // 2^60 > 10^18 − 1
  assert.deepEqual(Array.from(f.fstMem('bcd', true) as Uint8Array), [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
  assert.equal(f.status() & 1, 1);
});

test('FPREM: quotient bits in C0/C3/C1, partial reduction sets C2', () => {
  const f = fresh();
  ld(f, THREE); // ST1 = 3
  ld(f, '4003b800000000000000'); // ST0 = 23 = 7 × 3 + 2
  f.st01('fprem');
  assert.equal(toHex(f.st(0)), '40008000000000000000');
  assert.equal(f.status() & 0x4700, 0x4300, 'Q = 7: C0 C3 C1');
  const g = fresh();
  ld(g, THREE);
  ld(g, '40c08000000000000000'); // 2^193
  g.st01('fprem');
  assert.equal(g.status() & 0x0400, 0x0400, 'incomplete');
});

test('integer stores round per RC and give the integer indefinite when out of range', () => {
  const st = (hex: string, fmt: MemFormat, cw = 0x037f): MemValue | null => {
    const f = fresh(cw);
    ld(f, hex);
    return f.fstMem(fmt, true);
  };
  assert.equal(st('4000a000000000000000', 'i16'), 2); // 2.5 → 2 (even)
  assert.equal(st('4000a000000000000000', 'i16', 0x0b7f), 3); // up
  assert.equal(st('c000a000000000000000', 'i32', 0x077f), 0xfffffffd); // −2.5 down → −3
  assert.equal(st('400f8000000000000000', 'i16'), 0x8000); // 32768: out of range
  assert.equal(st('403e8000000000000000', 'i64'), 0x8000000000000000n);
});

test('FSTENV/FLDENV and FSAVE/FRSTOR in the four layouts', () => {
  for (const mode of [{ op32: false, protectedMode: false }, { op32: false, protectedMode: true }, { op32: true, protectedMode: false }, { op32: true, protectedMode: true }]) {
    const f = fresh(0x0a7f);
    ld(f, ONE);
    ld(f, THREE);
    f.fip = mode.protectedMode ? 0x1234 : 0x12345;
    f.fcs = mode.protectedMode ? 0x08 : 0;
    f.fop = 0x5e9;
    f.fdp = mode.protectedMode ? 0x5678 : 0x6789a;
    f.fds = mode.protectedMode ? 0x10 : 0;
    const env = f.fnstenv(mode);
    assert.equal(env.length, mode.op32 ? 28 : 14);
    assert.equal(env[0] | (env[1] << 8), 0x0a7f, 'CW before masking');
    assert.equal(f.cw & 0x3f, 0x3f);
    const tw = env[2 * (mode.op32 ? 4 : 2)] | (env[2 * (mode.op32 ? 4 : 2) + 1] << 8);
    assert.equal(tw, 0x0fff, 'R7, R6 valid; the rest empty');
    const g = new X87();
    g.fldenv(env, mode);
    assert.equal(g.cw, 0x0a7f);
    assert.equal(g.top, 6);
    assert.equal(g.fip, f.fip);
    assert.equal(g.fdp, f.fdp);
    assert.equal(g.fop, mode.protectedMode && !mode.op32 ? 0 : 0x5e9);
    assert.equal(g.fcs, f.fcs);
    const img = f.fnsave(mode);
    assert.equal(img.length, (mode.op32 ? 28 : 14) + 80);
    assert.equal(toHex(fromBytes(img, mode.op32 ? 28 : 14)), THREE, 'ST0 first');
    assert.equal(f.tagWord(), 0xffff, 'FNSAVE initialises');
    const h = new X87();
    h.frstor(img, mode);
    assert.equal(toHex(h.st(0)), THREE);
    assert.equal(toHex(h.st(1)), ONE);
    assert.equal(h.tagWord(), 0x0fff);
  }
});
