// The x87 in the debugger: the Variables view's FPU scope (debug-adapter/variables.ts), fpu.* names
// in expressions and setVariable (emulator/debug/fpuRegisters.ts), and formatF80's decimal text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegisterTree, ScopeName } from '../../../debug-adapter/variables';
import { evaluate } from '../../../emulator/debug/expression';
import { formatF80 } from '../../../emulator/debug/fpuRegisters';
import { fromHex } from '../../../emulator/cpu/fpu/float80';
import { runProgram } from '../../bios/harness';

test('formatF80: 19 significant digits, correctly rounded; specials by name', () => {
  assert.equal(formatF80(fromHex('4000c90fdaa22168c235')), '3.141592653589793239');
  assert.equal(formatF80(fromHex('3fff8000000000000000')), '1');
  assert.equal(formatF80(fromHex('bffdaaaaaaaaaaaaaaab')), '-3.333333333333333333e-1');
  assert.equal(formatF80(fromHex('40058000000000000000')), '6.4e+1');
  assert.equal(formatF80(fromHex('00000000000000000001')), '3.645199531882474603e-4951 (denormal)');
  assert.equal(formatF80(fromHex('ffffc000000000000000')), '-nan');
  assert.equal(formatF80(fromHex('80000000000000000000')), '-0');
});

test('FPU scope: ST(i) with value, raw bits and tag; the words decoded; fpu.* in expressions and setVariable', () => {
  const { m } = runProgram('fld1\nfldpi\ncli\nhlt', { cpu: '80386', fpu: '387' });
  const tree = new RegisterTree(m.cpu);
  const scope = tree.scopes().find((s) => s.name === ScopeName.Fpu);
  assert.ok(scope, 'FPU scope');
  const vars = tree.variables(scope.variablesReference)!;
  assert.equal(vars[0].value, '3.141592653589793239  raw 4000c90fdaa22168c235  R6 valid');
  assert.equal(vars[1].value, '1  raw 3fff8000000000000000  R7 valid');
  assert.match(vars[2].value, /^empty  raw .* R0 empty$/);
  const sw = vars.find((v) => v.name === 'status word')!;
  assert.equal(sw.value, '0x3000');
  assert.equal(evaluate(m.cpu, 'fpu.sw.top').value, 6);
  assert.equal(evaluate(m.cpu, 'fpu.cw.rc').value, 0);
  const cw = vars.find((v) => v.name === 'control word')!;
  const rc = tree.set(cw.variablesReference, 'RC', '3');
  assert.equal(rc.variable.value.split(' ')[0], '3');
  assert.equal(m.cpu.fpu!.cw, 0x0f7f);
  assert.throws(() => tree.set(scope.variablesReference, 'st0', '1'), /cannot be written/);
});

test('no FPU: no FPU scope, fpu.* unknown', () => {
  const { m } = runProgram('cli\nhlt');
  assert.equal(new RegisterTree(m.cpu).scopes().some((s) => s.name === ScopeName.Fpu), false);
  assert.throws(() => evaluate(m.cpu, 'fpu.cw'));
});
