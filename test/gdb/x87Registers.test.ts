// gdb's x87 registers (debug-adapter/gdb/registers.ts) read the FPU of a machine with `fpu: '387'`:
// st0-st7 in stack order as 80-bit little-endian values, fctrl/fstat/ftag/fop from the unit; a
// machine without an FPU shows the FNINIT state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GDB_REGISTERS, readGdbRegister } from '../../debug-adapter/gdb/registers';
import { runProgram } from '../bios/harness';

const reg = (name: string): number => GDB_REGISTERS.findIndex((r) => r.name === name);

test('x87 registers over gdb: values from the FPU', () => {
  const { m } = runProgram('fld1\nfldpi\ncli\nhlt', { cpu: '80386', fpu: '387' });
  const view = { linear: true };
  assert.equal(readGdbRegister(m.cpu, reg('st0'), view), '35c26821a2da0fc90040'); // π
  assert.equal(readGdbRegister(m.cpu, reg('st1'), view), '0000000000000080ff3f'); // 1.0
  assert.equal(readGdbRegister(m.cpu, reg('fctrl'), view), '7f030000');
  assert.equal(readGdbRegister(m.cpu, reg('fstat'), view), '00300000'); // TOP = 6
  assert.equal(readGdbRegister(m.cpu, reg('ftag'), view), 'ff0f0000'); // R6, R7 valid
  assert.equal(readGdbRegister(m.cpu, reg('fop'), view), 'eb010000'); // D9 EB: fldpi
});

test('x87 registers over gdb without an FPU: the FNINIT state', () => {
  const { m } = runProgram('cli\nhlt');
  const view = { linear: true };
  assert.equal(readGdbRegister(m.cpu, reg('fctrl'), view), '7f030000');
  assert.equal(readGdbRegister(m.cpu, reg('ftag'), view), 'ffff0000');
  assert.equal(readGdbRegister(m.cpu, reg('st0'), view), '00000000000000000000');
});
