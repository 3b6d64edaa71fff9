// @tier full
// Seeded fuzzing of x87 instruction sequences against Bochs: each sequence starts from FNINIT and a
// random control word, runs eight instructions drawn from the 387's set (loads of specials and
// denormals, arithmetic in every register form, stack manipulation, compares, FPREM/FSCALE/FXTRACT,
// integer and BCD stores), then prints its FNSAVE image (environment, pointers and all eight
// registers; the 16-bit and the 32-bit real-mode layout in turn) to port E9h. Bootscope with `fpu: '387'` must print what Bochs prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleSource, bochsMissing, haveTool, runBochs, runBootscope } from '../../pm/harness';
import { END, f80, LOADER, PUTHEX8 } from './bootProgram';

let seed = 0x387;
function rnd(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];

const POOL = [
  '3fff8000000000000000', 'c000c000000000000000', '4000c90fdaa22168c235', '00000000000000000001', '80008000000000000000',
  '7fff8000000000000000', 'ffff8000000000000000', '7fffc000000000000001', '7fff8000000000000001', '3ffdaaaaaaaaaaaaaaab',
  '43fe8000000000000001', 'bc018000000000000003', '7ffeffffffffffffffff', '00018000000000000000', '3fff4000000000000000',
  '401d8000000000000000', 'c03cde0b6b3a763fffff', '3ffe8000000000000000', '00000000000000000000', '4007a5a5a5a5a5a5a5a5',
];
const CWS = [0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f, 0x0372, 0x0360, 0x037e, 0x036f];

function insn(): string {
  const i = rnd(8);
  return pick([
    () => `fld tword [pool + ${rnd(POOL.length) * 10}]`,
    () => pick(['fld1', 'fldz', 'fldpi', 'fldl2e', 'fldln2']),
    () => `${pick(['fadd', 'fsub', 'fsubr', 'fmul', 'fdiv', 'fdivr'])} st0, st${i}`,
    () => `${pick(['fadd', 'fsub', 'fsubr', 'fmul', 'fdiv', 'fdivr'])} st${i}, st0`,
    () => `${pick(['faddp', 'fsubp', 'fmulp', 'fdivp', 'fsubrp', 'fdivrp'])} st${i}, st0`,
    () => `fxch st${i}`,
    () => pick(['fsqrt', 'fabs', 'fchs', 'frndint', 'fscale', 'fprem', 'fprem1', 'fxtract', 'ftst', 'fxam', 'fincstp', 'fdecstp', 'fucompp', 'fcompp']),
    () => `${pick(['fcom', 'fcomp', 'fucom', 'fucomp', 'fst', 'fstp', 'ffree', 'fld'])} st${i}`,
    () => `${pick(['fadd', 'fmul', 'fsub', 'fdivr', 'fcom'])} ${pick(['dword', 'qword'])} [pool + ${rnd(POOL.length) * 10}]`,
    () => `${pick(['fiadd', 'fimul', 'fisub', 'fidiv', 'ficom'])} word [ints + ${rnd(4) * 2}]`,
    () => `${pick(['fist', 'fistp'])} ${pick(['word', 'dword'])} [tmp]`,
    () => 'fbstp [tmp]',
    () => `fild word [ints + ${rnd(4) * 2}]`,
  ])();
}

function program(sequences: string[][]): string {
  const body = sequences.map((seq, k) => [
    `  fninit`, `  fldcw [cws + ${k * 2}]`, ...seq.map((s) => `  ${s}`), '  fnclex',
    // odd sequences save the 32-bit real-mode image (108 bytes), even ones the 16-bit one (94)
    k % 2 ? '  o32 fnsave [img]\n  mov cx, 108' : '  fnsave [img]\n  mov cx, 94', '  call dump',
  ].join('\n'));
  return `
${LOADER}${body.join('\n')}
${END}dump:
  mov si, img
.b:
  lodsb
  call puthex8
  loop .b
  mov al, 10
  out 0xe9, al
  ret
${PUTHEX8}pool:
${POOL.map((p) => `  ${f80(p)}`).join('\n')}
ints: dw 3, -7, 0x7fff, 0
cws: dw ${sequences.map(() => `0x${pick(CWS).toString(16)}`).join(', ')}
tmp: times 10 db 0
img: times 108 db 0
  times (18 * 512) - ($ - $$) db 0
`;
}

test('seeded x87 sequences: Bootscope prints the FNSAVE images Bochs prints', { skip: !haveTool('nasm') && 'nasm missing' }, () => {
  if (process.env.BOOTSCOPE_SKIP_BOCHS === '1') return;
  const missing = bochsMissing();
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out`);
  const sequences = Array.from({ length: 120 }, () => Array.from({ length: 8 }, insn));
  const bin = assembleSource(program(sequences), 'x87fuzz');
  const bochs = runBochs(bin);
  assert.ok(bochs.endsWith('END\n'), `bochs did not finish:\n${bochs.slice(-300)}`);
  const ours = runBootscope(bin, '80386', 50_000_000, true).text.split('\n');
  const bad: string[] = [];
  bochs.split('\n').forEach((line, k) => {
    if (ours[k] !== line) bad.push(`sequence ${k}: ${sequences[k]?.join('; ')}\n  bochs ${line}\n  ours  ${ours[k]}`);
  });
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${sequences.length} sequences differ`);
});
