// `bootscope run` on a boot sector that triple-faults (every IDT gate names a not-present code
// segment, then DIV by 0): the JSON summary's `fault.chain` takes the triple fault apart link by
// link (docs/CLI.md), and the text output prints the same chain with its explanations.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-faultchain-'));
const img = join(dir, 'triple.img');

before(() => {
  const bin = join(dir, 'triple.bin');
  execFileSync('nasm', ['-f', 'bin', '-DTRIPLE', '-o', bin, 'test/cpu/fixtures/faultRules.asm']);
  const sector = new Uint8Array(512);
  sector.set(readFileSync(bin));
  sector[510] = 0x55;
  sector[511] = 0xaa;
  writeFileSync(img, sector);
});

function run(...args: string[]): string {
  const r = spawnSync('node', ['dist/cli.js', 'run', img, '--max', '100000', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('run --json: fault.chain is #DE → #DF, each link with its rule, section and explanation', () => {
  const s = JSON.parse(run('--json'));
  assert.equal(s.stopReason, 'triple-fault');
  assert.equal(s.detail, 'triple fault: #DE → #DF → shutdown (GATE.CS.NOT_PRESENT)');
  const [de, df, ...rest] = s.fault.chain;
  assert.equal(rest.length, 0);
  assert.deepEqual([de.vector, de.kind, de.errorCode, de.cs, de.rule, de.section], [0, 'exception', -1, 8, 'GATE.CS.NOT_PRESENT', '6.12.1']);
  assert.equal(de.eip, s.registers.eip, 'the chain starts at the faulting DIV, where the CPU stopped');
  assert.match(de.explanation, /^delivering vector 0 \(#DE divide error\): the handler's code segment selector 0x0018 \(index 3, GDT, RPL 0\) \(descriptor 0x00cf1a00_0000ffff\) is not present \(P = 0\)$/);
  assert.deepEqual(de.raised, { vector: 11, errorCode: 0x19 });
  assert.equal(de.then.rule, 'DF.CONTRIBUTORY');
  assert.equal(de.then.section, 'Table 6-5');
  assert.deepEqual([df.vector, df.errorCode, df.rule, df.then.rule], [8, 0, 'GATE.CS.NOT_PRESENT', 'SHUTDOWN']);
  assert.match(df.explanation, /^delivering vector 8 \(#DF double fault\): /);
});

test('run (text): the chain with its explanations', () => {
  const out = run();
  assert.match(out, /^stop: triple-fault \(triple fault: #DE → #DF → shutdown \(GATE\.CS\.NOT_PRESENT\)\)$/m);
  assert.match(out, /^fault chain #DE → #DF → shutdown:\n {2}1\. vector 0 \(#DE divide error\) at 0008:7C\w\w\n {5}raised by DIV\.ZERO \(SDM 6\.15 Interrupt 0\): dividing 0x30 by 0 \(32-bit operand\)\n {5}GATE\.CS\.NOT_PRESENT \(SDM 6\.12\.1\): delivering vector 0/m);
  assert.match(out, /^ {5}→ SHUTDOWN \(SDM 6\.15 Interrupt 8\): vector 11 \(#NP segment not present\) was raised while delivering #DF: triple fault, the CPU shuts down$/m);
});
