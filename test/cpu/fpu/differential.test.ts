// @tier full
// The x87 against Bochs and QEMU: a real-mode NASM program runs x87 instructions over operands of
// the host vectors (specials, denormals, unsupported encodings, every rounding and precision
// control, unmasked exceptions) and prints each status word and result to port E9h. Bootscope with
// `fpu: '387'` must print what Bochs prints; where QEMU differs is listed in qemuExcused below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleSource, bochsMissing, haveTool, runBochs, runBootscope, runQemu } from '../../pm/harness';
import { parseVectors } from './hostRunner';
import { END, f80, LOADER, PUTHEX8 } from './bootProgram';

// Instruction routines: ST0 = A, ST1 = B; each leaves the status word in [swv] and ten result bytes in [res].
const OPS: Record<string, string> = {
  add: 'fadd st0, st1', sub: 'fsub st0, st1', subr: 'fsubr st0, st1', mul: 'fmul st0, st1', div: 'fdiv st0, st1',
  divr: 'fdivr st0, st1', sqrt: 'fsqrt', rndint: 'frndint', scale: 'fscale', prem: 'fprem', prem1: 'fprem1',
  xtract: 'fxtract', com: 'fcom st1', ucom: 'fucom st1',
  st32: 'fst dword [res]', st64: 'fst qword [res]', ist16: 'fist word [res]', ist32: 'fist dword [res]',
  ist64: 'fistp qword [res]', bstp: 'fbstp [res]',
};
const STORES = new Set(['st32', 'st64', 'ist16', 'ist32', 'ist64', 'bstp']);

function program(cases: { op: string; cw: number; a: string; b: string }[]): string {
  const names = Object.keys(OPS);
  const routines = names.map((n) => `op_${n}:\n  ${OPS[n]}\n  fnstsw [swv]\n  fnclex\n${STORES.has(n) ? '' : '  fstp tword [res]\n'}  ret`);
  const data = cases.map((c) => `  ${f80(c.a)}\n  ${f80(c.b)}\n  dw 0x${c.cw.toString(16)}\n  db ${names.indexOf(c.op)}`);
  return `
${LOADER}  mov si, cases
next:
  cmp si, cases_end
  jae done
  mov di, res
  xor ax, ax
  mov cx, 5
  rep stosw
  fninit
  fldcw [si + 20]
  fld tword [si + 10]
  fld tword [si]
  mov bl, [si + 22]
  xor bh, bh
  shl bx, 1
  call [optable + bx]
  fninit
  mov ax, [swv]
  call puthex16
  mov al, ' '
  out 0xe9, al
  mov bx, 9
bytes:
  mov al, [res + bx]
  call puthex8
  dec bx
  jns bytes
  mov al, 10
  out 0xe9, al
  add si, 23
  jmp next
done:
${END}puthex16:
  push ax
  mov al, ah
  call puthex8
  pop ax
${PUTHEX8}${routines.join('\n')}
optable: dw ${names.map((n) => `op_${n}`).join(', ')}
swv: dw 0
res: times 10 db 0
cases:
${data.join('\n')}
cases_end:
  times (18 * 512) - ($ - $$) db 0
`;
}

const all = parseVectors(readFileSync(join(__dirname, 'vectors', 'host.txt'), 'utf8')).filter((v) => v.op in OPS);
// Every seventh case: 17 sectors hold about 330.
const cases = all.filter((_, i) => i % 7 === 0).slice(0, 320);

const nasm = haveTool('nasm');

test('x87 programs: Bootscope prints what Bochs prints', { skip: !nasm && 'nasm missing' }, () => {
  const missing = bochsMissing();
  if (process.env.BOOTSCOPE_SKIP_BOCHS === '1') return;
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out`);
  const bin = assembleSource(program(cases), 'x87diff');
  const bochs = runBochs(bin);
  assert.ok(bochs.endsWith('END\n'), `bochs did not finish:\n${bochs.slice(-300)}`);
  const ours = runBootscope(bin, '80386', 50_000_000, true);
  const a = ours.text.split('\n'), b = bochs.split('\n');
  const bad: string[] = [];
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) bad.push(`${cases[i]?.op} ${cases[i]?.cw.toString(16)} ${cases[i]?.a} ${cases[i]?.b}: bochs ${b[i]} ours ${a[i]}`);
  assert.deepEqual(bad, []);
});

test('x87 programs: Bootscope against QEMU', { skip: !nasm && 'nasm missing' }, () => {
  if (process.env.BOOTSCOPE_SKIP_QEMU === '1') return;
  assert.ok(haveTool('qemu-system-i386'), 'qemu-system-i386 is not installed; BOOTSCOPE_SKIP_QEMU=1 leaves QEMU out');
  const bin = assembleSource(program(cases), 'x87diff');
  const qemu = runQemu(bin);
  assert.ok(qemu.endsWith('END\n'), `qemu did not finish:\n${qemu.slice(-300)}`);
  const ours = runBootscope(bin, '80386', 50_000_000, true);
  // QEMU 7.2 leaves C1 clear where the result was rounded up and does not raise DE for every
  // denormal operand: both bits are left out of the comparison with it (Bochs and the host agree on them).
  const relax = (line: string): string => (/^[0-9A-F]{4} /.test(line) ? (parseInt(line.slice(0, 4), 16) & ~0x0202).toString(16).padStart(4, '0') + line.slice(4) : line);
  const a = ours.text.split('\n').map(relax), b = qemu.split('\n').map(relax);
  const bad: string[] = [];
  let excused = 0;
  for (let i = 0; i < b.length; i++) {
    if (a[i] === b[i]) continue;
    if (qemuExcused(cases[i], a[i], b[i])) excused++;
    else bad.push(`${cases[i]?.op} ${cases[i]?.cw.toString(16)} ${cases[i]?.a} ${cases[i]?.b}: qemu ${b[i]} ours ${a[i]}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(excused < b.length / 10, `${excused} excused differences`);
});

/**
 * Where QEMU 7.2 departs from the hardware (the host vectors and Bochs agree with us): an unmasked
 * invalid operation, overflow or underflow gets the masked response (the indefinite written, no
 * bias adjustment) instead of leaving the destination or delivering the bias-adjusted result, and
 * FSQRT of a negative number sets C2.
 */
function qemuExcused(c: { op: string; cw: number }, ours: string, qemu: string): boolean {
  const sw = parseInt(ours.slice(0, 4), 16);
  const swDiff = parseInt(qemu.slice(0, 4), 16) ^ sw;
  const sqrtC2 = c.op === 'sqrt' && swDiff === 0x0400;
  if (swDiff !== 0 && !sqrtC2) return false;
  return sqrtC2 && ours.slice(5) === qemu.slice(5) ? true : (sw & ~c.cw & 0x19) !== 0;
}
