// examples/triple-fault: every IDT gate names the boot-time code segment (#GATE_CS), which the loader retires by
// clearing its present bit (#RETIRE); the divide by zero at #DIVIDE cannot be delivered, nor can the #DF it becomes.
// `bootscope run` stops at the triple fault before the reset, at #DIVIDE, with the chain explained link by link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, image, marker, NO_NASM, runJson } from './helpers';

test('triple-fault: run stops at the triple fault at #DIVIDE with the chain #DE → #DF → shutdown, GATE.CS.NOT_PRESENT on both links', { skip: NO_NASM }, () => {
  const div = marker('triple-fault', 'DIVIDE');
  assert.match(div.source, /div dword \[file_count\]/);
  const j = runJson([image('triple-fault')]);
  assert.equal(j.stopReason, 'triple-fault');
  assert.equal(j.detail, 'triple fault: #DE → #DF → shutdown (GATE.CS.NOT_PRESENT)');
  assert.equal(j.mode, 'protected32');
  assert.deepEqual([j.segments.cs.selector, j.segments.cs.base + j.registers.eip], [0x18, div.address], 'stopped at the faulting DIV, in CODE_SEL');
  assert.equal(j.debugText, 'triple-fault: in protected mode, building the IDT\ntriple-fault: IDT loaded, boot-time code segment retired\n');
  const [de, df, ...rest] = j.fault.chain;
  assert.equal(rest.length, 0);
  assert.deepEqual([de.vector, de.errorCode, de.cs, de.eip, de.rule, de.section], [0, -1, 0x18, div.address, 'GATE.CS.NOT_PRESENT', '6.12.1']);
  // #NP with the selector of the retired segment and EXT (bit 0): the fault came from delivering an event.
  assert.deepEqual(de.raised, { vector: 11, errorCode: 0x09 });
  assert.equal(de.then.rule, 'DF.CONTRIBUTORY');
  assert.match(de.explanation, /selector 0x0008 \(index 1, GDT, RPL 0\) \(descriptor 0x00cf1b00_0000ffff\) is not present \(P = 0\)/);
  assert.deepEqual([df.vector, df.errorCode, df.rule, df.then.rule], [8, 0, 'GATE.CS.NOT_PRESENT', 'SHUTDOWN']);
});

test('triple-fault: the text output prints the chain with its explanations', { skip: NO_NASM }, () => {
  const r = cli(['run', image('triple-fault')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^stop: triple-fault \(triple fault: #DE → #DF → shutdown \(GATE\.CS\.NOT_PRESENT\)\)$/m);
  assert.match(r.out, /fault chain #DE → #DF → shutdown:/);
  assert.match(r.out, /SHUTDOWN \(SDM 6\.15 Interrupt 8\): vector 11 \(#NP segment not present\) was raised while delivering #DF/);
});
