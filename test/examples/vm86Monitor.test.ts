// @tier full
// examples/vm86-monitor: a 32-bit monitor enters a vm86 task by task switch, then by IRET; the task's CLI/STI/PUSHF/
// POPF/INT/IRET fault (IOPL 0) and are emulated, INT 10h/13h reflected to the BIOS through the IVT. Checked through
// `bootscope run`: the task's screen output, the monitor's counters on port 0xE9, and the state at --until addresses
// taken from the task's listing (CS = 0900h, offsets from 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { image, marker, NO_NASM, runJson, segoff } from './helpers';

const SEG = 0x0900;
const V86_SEG = (sel: number) => ({ selector: sel, base: sel << 4, limit: 0xffff, access: 0xf3 });

test('runs to the end: the task prints through reflected INT 10h, reads the MBR with INT 13h, the monitor counts', { skip: NO_NASM }, () => {
  const j = runJson([image('vm86-monitor'), '--screen']);
  assert.equal(j.stopReason, 'halt');
  assert.equal(j.mode, 'protected32');
  assert.deepEqual(j.screen.slice(0, 4), [
    'vm86: entered by task switch',
    'vm86: CLI/STI/PUSHF/POPF see the virtual IF',
    'vm86: INT 13h read the MBR (55AA)',
    'vm86: entered by IRET',
  ].map((l) => l.padEnd(80)));
  // One CLI, one STI, three PUSHF, one POPF; every INT (133 teletype characters and the disk read) comes back
  // through the BIOS stub's IRET, which faults as well.
  const m = /emulated cli sti pushf popf int iret: (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(j.debugText);
  assert.ok(m, j.debugText);
  const [cli, sti, pushf, popf, ints, irets] = m.slice(1).map(Number);
  assert.deepEqual([cli, sti, pushf, popf], [1, 1, 3, 1]);
  const chars = j.screen.slice(0, 4).reduce((n: number, l: string) => n + l.trimEnd().length + 2, 0);
  assert.equal(ints, chars + 1);
  assert.equal(irets, ints);
  assert.match(j.debugText, /task switch to vm86\n.*first run over, IRET into vm86\n/);
});

test('at the first task instruction (entered by task switch): mode vm86, real-mode segments, TR = the vm86 TSS', { skip: NO_NASM }, () => {
  const at = marker('vm86task', 'VM86_TS', 0);
  const j = runJson([image('vm86-monitor'), '--until', segoff(SEG, at.address)]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.mode, 'vm86');
  assert.equal(j.registers.eflags & 0x20000, 0x20000, 'EFLAGS.VM');
  assert.equal((j.registers.eflags >> 12) & 3, 0, 'IOPL 0: the sensitive instructions fault');
  for (const s of ['cs', 'ds', 'es', 'fs', 'gs']) assert.deepEqual(j.segments[s], V86_SEG(SEG), s);
  assert.deepEqual(j.segments.ss, V86_SEG(0x6000));
  assert.equal(j.segments.tr.selector, 0x20);
  assert.equal(j.segments.tr.access & 0xf, 0xb, 'busy 32-bit TSS');
  assert.equal(j.control.cr0 & 8, 8, 'CR0.TS set by the task switch');
});

test('at the second entry (IRET with VM set in the frame): vm86 again, same task, the first run already printed', { skip: NO_NASM }, () => {
  const at = marker('vm86task', 'VM86_IRET', 0);
  const j = runJson([image('vm86-monitor'), '--until', segoff(SEG, at.address), '--screen']);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.mode, 'vm86');
  assert.deepEqual(j.segments.cs, V86_SEG(SEG));
  assert.equal(j.registers.esp, 0xfffe);
  assert.equal(j.segments.tr.selector, 0x20);
  assert.match(j.screen[2], /INT 13h read the MBR/);
  assert.match(j.debugText, /IRET into vm86\n$/);
});

test('an INT 10h in the task stops in vm86 at the instruction the monitor reflects', { skip: NO_NASM }, () => {
  const at = marker('vm86task', 'INT10', 0);
  const j = runJson([image('vm86-monitor'), '--until', segoff(SEG, at.address)]);
  assert.equal(j.mode, 'vm86');
  assert.equal((j.registers.eax >> 8) & 0xff, 0x0e, 'AH = 0Eh teletype');
  assert.equal(j.registers.eax & 0xff, 'v'.charCodeAt(0));
});
