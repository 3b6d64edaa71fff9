// `bootscope explain-fault` on real logs of examples/triple-fault (test/cli/fixtures/faultlog: QEMU 7.2
// `-d int,cpu_reset -no-reboot`, Bochs 2.7 with reset_on_triple_fault=0 and =1; faultLiveLogs.test.ts makes fresh ones):
// with the image it replays to the logged state and explains the chain through the rule table, agreeing with the
// log; without it, it lists the rules that raise each logged exception. Pasted (prefixed) logs and standard input
// work; a log the image does not reach, or a text that is no log, says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { image, NO_NASM } from '../examples/helpers';

const QEMU = 'test/cli/fixtures/faultlog/triple-fault-qemu.log';
const BOCHS = 'test/cli/fixtures/faultlog/triple-fault-bochs.log';
/** The same run with Bochs's default reset on triple fault: an error line, then the reset (the log's tail). */
const BOCHS_RESET = 'test/cli/fixtures/faultlog/triple-fault-bochs-reset.log';

function explain(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'explain-fault', ...args], { encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('QEMU log + image: replayed to the logged state, the chain explained by rule, agreeing with QEMU', { skip: NO_NASM }, () => {
  const r = explain([QEMU, '--image', image('triple-fault')]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /^QEMU -d int log: triple fault at 0018:7C91 \(protected mode, CPL 0\)$/m);
  assert.match(r.out, /^logged: #DE → #DF → shutdown; delivering #DE raised #NP; delivering #DF raised #NP$/m);
  assert.match(r.out, /triple-fault\.img: at the logged state after \d+ instructions \(registers, segments, GDTR, IDTR, CR0 as logged\)/);
  assert.match(r.out, /^fault chain #DE → #DF → shutdown:$/m);
  assert.match(r.out, /GATE\.CS\.NOT_PRESENT \(SDM 6\.12\.1\): delivering vector 0 \(#DE divide error\): the handler's code segment selector 0x0008/);
  assert.match(r.out, /^agrees with the log: the same events, each raising what the log says it raised, and a triple fault$/m);
  const j = JSON.parse(explain([QEMU, '--image', image('triple-fault'), '--json']).out);
  assert.deepEqual([j.source, j.tripleFault, j.mode, j.agrees], ['qemu', true, 'protected', true]);
  assert.deepEqual(j.logged.events.map((e: { vector: number; raised: number }) => [e.vector, e.raised]), [[0, 11], [8, 11]]);
  assert.deepEqual(j.fault.chain.map((l: { rule: string }) => l.rule), ['GATE.CS.NOT_PRESENT', 'GATE.CS.NOT_PRESENT']);
  assert.deepEqual([j.state.gdtr.limit, j.state.idtr, j.state.segments.cs.selector, j.state.regs.eax], [0x1f, { base: 0x1000, limit: 0xff }, 0x18, 0xb40]);
  assert.deepEqual(j.replay.notes, []);
});

test('QEMU log alone: each raised #NP gets the rules that raise it in protected mode (no memory to decide)', () => {
  const r = explain([QEMU]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^delivering #DE raised #NP: one of \d+ rules \(the log has no memory to tell which; --image IMAGE replays it\):$/m);
  const j = JSON.parse(explain([QEMU, '--json']).out);
  const rules = j.candidates[0].rules.map((x: { rule: string }) => x.rule);
  assert.ok(rules.includes('GATE.CS.NOT_PRESENT') && rules.includes('IDT.GATE.NOT_PRESENT'), rules.join(', '));
  assert.ok(rules.every((id: string) => !id.startsWith('IVT.')), 'real-mode rules in protected mode');
  assert.equal(j.candidates.length, 2);
});

test('Bochs panic log: its register dump and reason line; with the image the same chain, agreeing on the last exception', { skip: NO_NASM }, () => {
  const j = JSON.parse(explain([BOCHS, '--json']).out);
  assert.deepEqual([j.source, j.tripleFault, j.mode, j.state.regs.eip, j.state.segments.cs.selector, j.state.control.cr0], ['bochs', true, 'protected', 0x7c91, 0x18, 0x60000011]);
  assert.ok(j.logged.messages.includes('interrupt(): segment not present'), j.logged.messages.join(' | '));
  // "segment not present" narrows the #NP rules to the NOT_PRESENT ones.
  assert.ok(j.candidates[0].rules.every((x: { rule: string }) => x.rule.endsWith('NOT_PRESENT')));
  const r = explain([BOCHS, '--image', image('triple-fault')]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /^Bochs log: triple fault at 0018:7C91 \(protected mode\)$/m);
  assert.match(r.out, /^agrees with the log: the same last exception, and a triple fault$/m);
  const reset = JSON.parse(explain([BOCHS_RESET, '--image', image('triple-fault'), '--json']).out);
  assert.deepEqual([reset.tripleFault, reset.agrees, reset.state.regs.esi, reset.logged.events[0].raised], [true, true, 0x7d2d, 11]);
});

test('a pasted log (quoted, tagged lines) from standard input reads the same', { skip: NO_NASM }, () => {
  const pasted = readFileSync(QEMU, 'utf8').split('\n').map((l) => `> qemu.log: ${l}`).join('\r\n');
  const r = explain(['-', '--image', image('triple-fault'), '--json'], pasted);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).agrees, true);
});

test('an image that never reaches the logged state: exit 3 saying so; a text that is no log: exit 1, one line', { skip: NO_NASM }, () => {
  const r = explain([QEMU, '--image', image('hello'), '--max', '20000']);
  assert.equal(r.code, 3, r.err);
  assert.match(r.out, /hello\.img does not reach the logged state: /);
  const bad = explain(['-'], 'EAX=1 nothing else\n');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^bootscope explain-fault: standard input: not a QEMU `-d int` log .* or a Bochs log .*\n$/);
  const noRecord = explain(['-'], 'check_exception old: 0xffffffff new 0xd\n');
  assert.equal(noRecord.code, 1);
  assert.match(noRecord.err, /no exception record in the log/);
});
