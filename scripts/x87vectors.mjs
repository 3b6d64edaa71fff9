// Generates test/cpu/fpu/vectors/host.txt: x87 instructions run on this machine's FPU (an x86
// host with gcc: scripts/x87host/x87host.c) over seeded operands — specials, denormals, rounding
// ties, every rounding and precision control, masked and unmasked exceptions. The committed file is
// what the tests compare with; regenerate with `node scripts/x87vectors.mjs` on an x86 host.
// Lines: "OP CW A B -> SW R0 R1" (hex; A/B/R 80-bit sign-exponent first, memory images for loads
// and stores, R1 "-" when absent). A header line records the host's CPU.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OUT = 'test/cpu/fpu/vectors/host.txt';

let seed = 0x87;
function rnd() {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (xs) => xs[int(xs.length)];
const hex = (n, digits) => n.toString(16).padStart(digits, '0');
function bits64() {
  return (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32));
}
const v80 = (sign, exp, sig) => hex((sign << 15) | exp, 4) + hex(sig, 16);

const J = 1n << 63n;
const SPECIALS = [
  v80(0, 0, 0n), v80(1, 0, 0n), v80(0, 0x7fff, J), v80(1, 0x7fff, J),
  v80(0, 0x7fff, 0xc000000000000001n), v80(1, 0x7fff, 0x8000000000000005n), v80(1, 0x7fff, 0xc000000000000000n),
  v80(0, 0, 1n), v80(1, 0, 0x7fffffffffffffffn), v80(0, 0, J | 5n), v80(0, 0x3fff, 0x4000000000000000n),
  v80(1, 0x7fff, 0n), v80(0, 0x7fff, 0x4000000000000001n), v80(0, 0x7ffe, 0xffffffffffffffffn), v80(1, 1, J),
  v80(0, 0x3fff, J), v80(1, 0x4000, 0xc000000000000000n), v80(0, 0x3ffe, 0xffffffffffffffffn),
];

/** A random finite 80-bit value; `span` limits the exponent's distance from 1.0. */
function finite(span = 70) {
  const r = rnd();
  let sig = J | (bits64() >> 1n);
  if (r < 0.15) sig = J | (BigInt(int(16)) << BigInt(int(60))) | (1n << BigInt(int(12)));
  else if (r < 0.25) sig = (J | (bits64() >> 1n)) & ~((1n << BigInt(int(40))) - 1n);
  else if (r < 0.3) sig = (J | (bits64() >> 1n)) | ((1n << BigInt(int(40))) - 1n);
  let exp = 0x3fff + int(2 * span + 1) - span;
  const e = rnd();
  if (e < 0.05) exp = 1 + int(80);
  else if (e < 0.08) exp = 0x7ffe - int(80);
  else if (e < 0.11) { exp = 0; sig >>= BigInt(1 + int(63)); }
  return v80(int(2), Math.max(0, Math.min(0x7ffe, exp)), sig);
}
const operand = (span) => (rnd() < 0.12 ? pick(SPECIALS) : finite(span));

const MASKED = [0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f, 0x047f, 0x0c7f, 0x087f, 0x0e7f];
const UNMASKED = [0x036f, 0x0377, 0x035f, 0x037e, 0x037d, 0x037b, 0x0360, 0x0b6f, 0x0f77, 0x006f];
const cw = () => (rnd() < 0.2 ? pick(UNMASKED) : pick(MASKED));
const cw64 = () => pick(MASKED) | 0x300; // precision control does not apply

const lines = [];
const add = (op, c, a, b = '0'.repeat(20)) => lines.push(`${op} ${hex(c, 4)} ${a} ${b}`);

for (const op of ['add', 'sub', 'subr', 'mul', 'div', 'divr']) {
  for (let i = 0; i < 260; i++) add(op, cw(), operand(), operand());
}
// Exact cancellation, tininess and overflow edges.
for (let i = 0; i < 120; i++) {
  const a = finite(3);
  add(pick(['sub', 'add']), cw(), a, rnd() < 0.5 ? a : `${a.slice(0, 16)}${hex(int(65536), 4)}`);
  add('mul', cw(), v80(0, 1 + int(40), J | (bits64() >> 1n)), v80(0, 0x3fff - 1 - int(80), J | (bits64() >> 1n)));
  add('mul', cw(), v80(int(2), 0x7ffe - int(40), J | (bits64() >> 1n)), v80(0, 0x3fff + int(60), J | (bits64() >> 1n)));
}
for (let i = 0; i < 40; i++) for (let j = 0; j < 3; j++) add(pick(['add', 'mul', 'div']), cw(), SPECIALS[int(SPECIALS.length)], SPECIALS[int(SPECIALS.length)]);
for (let i = 0; i < 200; i++) add('sqrt', cw(), operand(4000));
for (let i = 0; i < 150; i++) add('rndint', cw64(), rnd() < 0.8 ? v80(int(2), 0x3ffe + int(66), J | (bits64() >> 1n)) : operand());
for (let i = 0; i < 150; i++) add('scale', cw64(), operand(200), rnd() < 0.8 ? v80(int(2), 0x3fff + int(15), J | (bits64() >> 1n)) : operand(3));
for (const op of ['prem', 'prem1']) {
  for (let i = 0; i < 200; i++) add(op, cw64(), operand(200), operand(100));
}
for (let i = 0; i < 100; i++) add('xtract', cw64(), operand(3000));
for (const op of ['com', 'ucom']) for (let i = 0; i < 120; i++) add(op, cw(), operand(2), rnd() < 0.3 ? operand(2) : finite(2));
for (let i = 0; i < 40; i++) add('tst', cw(), operand());
for (const s of SPECIALS) add('xam', 0x037f, s);
for (const op of ['ldpi', 'ldl2t', 'ldl2e', 'ldlg2', 'ldln2']) for (const c of [0x037f, 0x077f, 0x0b7f, 0x0f7f]) add(op, c, '0'.repeat(20));
for (let i = 0; i < 300; i++) {
  const wide = rnd() < 0.5 ? finite(1100) : v80(int(2), 0x3fff + int(300) - 150, J | (bits64() >> 1n));
  add(pick(['st32', 'st64']), cw(), rnd() < 0.1 ? pick(SPECIALS) : wide);
}
for (let i = 0; i < 80; i++) add('st32', cw(), v80(int(2), 0x3fff - 126 - int(30), J | (bits64() >> 1n)));
for (let i = 0; i < 80; i++) add('st64', cw(), v80(int(2), 0x3fff - 1022 - int(60), J | (bits64() >> 1n)));
for (const [op, bits] of [['ist16', 16], ['ist32', 32], ['ist64', 64]]) {
  for (let i = 0; i < 90; i++) add(op, cw64(), rnd() < 0.1 ? pick(SPECIALS) : v80(int(2), 0x3ffe + int(bits + 2), J | (bits64() >> 1n)));
}
for (let i = 0; i < 90; i++) add('bstp', cw64(), rnd() < 0.1 ? pick(SPECIALS) : v80(int(2), 0x3ffe + int(62), J | (bits64() >> 1n)));
for (let i = 0; i < 150; i++) {
  const kind = rnd();
  const m = kind < 0.2 ? BigInt(int(2 ** 31)) | (kind < 0.1 ? 0x7f800000n : 0n) : bits64();
  add(pick(['ld32', 'ld64']), cw(), `0000${hex(m, 16)}`);
}
for (let i = 0; i < 60; i++) {
  let d = '';
  for (let k = 0; k < 18; k++) d += rnd() < 0.05 ? pick(['a', 'f']) : String(int(10));
  add('bld', 0x037f, `${pick(['00', '80'])}${d}`);
}
// Transcendentals: arguments in their documented ranges, and specials.
for (let i = 0; i < 120; i++) {
  const x = rnd() < 0.85 ? v80(int(2), 0x3fff - 20 + int(40 + (rnd() < 0.2 ? 45 : 0)), J | (bits64() >> 1n)) : operand();
  add(pick(['sin', 'cos', 'sincos', 'ptan']), cw64(), x);
}
for (let i = 0; i < 80; i++) add('f2xm1', cw64(), rnd() < 0.9 ? v80(int(2), 0x3fff - int(70), J | (bits64() >> 1n)) : operand());
for (let i = 0; i < 80; i++) add('yl2x', cw64(), rnd() < 0.9 ? v80(0, 0x3fff + int(200) - 100, J | (bits64() >> 1n)) : operand(), operand(10));
for (let i = 0; i < 80; i++) add('yl2xp1', cw64(), rnd() < 0.9 ? v80(int(2), 0x3ffd - int(70), J | (bits64() >> 1n)) : operand(), operand(10));
for (let i = 0; i < 80; i++) add('patan', cw64(), operand(40), operand(40));

const dir = mkdtempSync(join(tmpdir(), 'x87host-'));
try {
  const exe = join(dir, 'x87host');
  execFileSync('gcc', ['-O1', '-o', exe, 'scripts/x87host/x87host.c']);
  const out = execFileSync(exe, { input: lines.join('\n') + '\n', maxBuffer: 64 << 20 }).toString();
  const model = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown';
  writeFileSync(`${OUT}.tmp`, `# x87 host vectors (scripts/x87vectors.mjs), host CPU: ${model}\n${out}`);
  renameSync(`${OUT}.tmp`, OUT);
  console.log(`${OUT}: ${out.trim().split('\n').length} vectors`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
