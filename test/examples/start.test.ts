// @tier full
// `npm start`: the headless diagnosis of examples/vmentry-failure, and the no-editor fallback (PATH
// without `code`, no code-server) which explains how to open the workspace and then prints the same
// diagnosis. Runs the script on dist/ as scripts/test.mjs built it (--no-build: fast, and dist/ is
// not written under the other test files) and exits 0 in both cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { image, marker, NO_NASM } from './helpers';

function start(args: string[], env: NodeJS.ProcessEnv = process.env) {
  image('vmentry-failure');
  const r = spawnSync(process.execPath, ['scripts/start.mjs', ...args, '--no-build'], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

function assertDiagnosis(out: string) {
  // Addresses come from the listing: the stop is the instruction after `; #PE_ON`, the cause the `; #SS_LOAD` one.
  const pe = marker('vmentry-failure', 'PE_ON');
  const ssLoad = marker('vmentry-failure', 'SS_LOAD');
  assert.match(out, new RegExp(`after 393,\\d{3} instructions, at 0000:${hex4(pe.address + pe.length)} \\(mode protected16\\)`));
  assert.match(out, new RegExp(`just executed {2}0000:${hex4(pe.address)} {2}0f22c0 +mov cr0,eax +examples/vmentry-failure/vmentry-failure\\.asm:${pe.line} +mov cr0, eax {2}; #PE_ON`));
  assert.match(out, /SS 9FFB \(RPL 3\) {2}base 0009FFB0 {2}limit 0000FFFF {2}access 00093 \(DPL 0\)/);
  assert.match(out, /Where it started: the last write to SS before the stop/);
  assert.match(out, new RegExp(`0000:${hex4(ssLoad.address)} {2}8ed0 +mov ss,ax +examples/vmentry-failure/vmentry-failure\\.asm:${ssLoad.line} +mov ss, ax {2}; #SS_LOAD`));
  assert.match(out, /SS 0000 -> 9FFB, unchanged for the 8 instructions up to the stop/);
  assert.match(out, /Stopped: emulation after/);
  assert.match(out, /raw +fail /);
  assert.match(out, /SEL\.SS_RPL +§26\.3\.1\.2 {2}SS\.selector 0x9ffb has RPL 3 but CS\.selector 0x0000 has RPL 0/);
  assert.match(out, /DPL\.SS +§26\.3\.1\.2 {2}SS\.DPL is 0/);
  assert.match(out, /unrestricted +enter /);
  assert.match(out, /xen-vm86 +emulate /);
  assert.match(out, /kvm-rmode +emulate /);
}

test('npm start -- --headless prints the diagnosis and exits 0', { skip: NO_NASM }, () => {
  const r = start(['--headless']);
  assert.equal(r.code, 0, r.err);
  assertDiagnosis(r.out);
});

test('npm start without an editor says how to open one, then prints the diagnosis', { skip: NO_NASM }, () => {
  const env = { ...process.env, PATH: dirname(process.execPath), BOOTSCOPE_E2E_CACHE: join('test', '.out', 'no-code-server') };
  const r = start([], env);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /No editor found: neither `code` \(VS Code\) nor code-server is on PATH/);
  assert.match(r.out, /code --extensionDevelopmentPath=\S+ \S+examples/);
  assertDiagnosis(r.out);
});

test('npm start -- --headless --example triple-fault prints the stop at #DIVIDE and the chain with its rules', { skip: NO_NASM }, () => {
  image('triple-fault');
  const div = marker('triple-fault', 'DIVIDE');
  const r = start(['--headless', '--example', 'triple-fault']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Stopped: triple fault after \d+ instructions, before the reset, at 0018:/);
  assert.match(r.out, new RegExp(`faulting {7}0018:${hex4(div.address)} {2}f735[0-9a-f]+ +div dword \\[dword 0x[0-9a-f]+\\] +examples/triple-fault/triple-fault\\.asm:${div.line} +div dword \\[file_count\\]`));
  assert.match(r.out, /1\. vector 0 at 0018:[0-9A-F]{4}\n {5}GATE\.CS\.NOT_PRESENT \(SDM 6\.12\.1\): delivering vector 0 \(#DE divide error\)/);
  assert.match(r.out, /then SHUTDOWN \(SDM 6\.15 Interrupt 8\)/);
  // Through a recorded debug session: find the write that broke it lands on #RETIRE.
  const retire = marker('triple-fault', 'RETIRE');
  assert.match(r.out, /stopped with "triple fault: GATE\.CS\.NOT_PRESENT"/);
  assert.match(r.out, new RegExp(`on GDT entry 1 \\(selector 0x0008\\): the handler's code segment:\n {2}80[0-9a-f]+ +and byte \\[dword 0x[0-9a-f]+\\],0x7f +examples/triple-fault/triple-fault\\.asm:${retire.line} `));
  assert.match(r.out, /made the last write to GDT entry 1 \(selector 0x0008\): the handler's code segment before the fault/);
});

test('npm start --example with an unknown name says which exist, exit 1', { skip: NO_NASM }, () => {
  const r = start(['--headless', '--example', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.err, /--example: 'nope' has no headless diagnosis; use vmentry-failure or triple-fault/);
});
