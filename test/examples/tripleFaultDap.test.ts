// examples/triple-fault in a real debug session (dist/debugAdapter.js over DAP, as VS Code runs it): its launch
// configuration stops at the triple fault named by its rule; bootscope/readFault (the Fault panel) takes the chain
// apart with what each rule looked at; bootscope/findFaultWrite ("find the write that broke it") lands on the
// culprit instructions of the listing: #RETIRE for the not-present descriptor, #GATE_CS for the gate; the
// console's `info fault` and `fault write N.M` do the same.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DapClient, pc, repl, wholeTimeline } from '../dap/dapClient';
import { EXAMPLES_DIR, image, marker, NO_NASM } from './helpers';

function config(): Record<string, unknown> {
  image('triple-fault');
  const launchJson = JSON.parse(readFileSync(join(EXAMPLES_DIR, '.vscode', 'launch.json'), 'utf8'));
  const c = launchJson.configurations.find((x: { name: string }) => x.name === 'triple-fault');
  return JSON.parse(JSON.stringify(c).replaceAll('${workspaceFolder}', EXAMPLES_DIR));
}

describe('triple-fault example over DAP', { skip: NO_NASM }, () => {
  const clients: DapClient[] = [];
  after(async () => { for (const c of clients) await c.close(); });
  const launched = async () => {
    const c = DapClient.spawn();
    clients.push(c);
    const stop = c.nextStop(60000);
    await c.launch(config());
    return { c, stop: await stop };
  };

  test('the launch configuration stops at the triple fault, named by its rule, at #DIVIDE in the example\'s source', async () => {
    const { c, stop } = await launched();
    assert.equal(stop.body.reason, 'exception');
    assert.equal(stop.body.description, 'triple fault: GATE.CS.NOT_PRESENT');
    assert.match(stop.body.text ?? '', /GATE\.CS\.NOT_PRESENT \(SDM 6\.12\.1\)/);
    const div = marker('triple-fault', 'DIVIDE');
    const { stackFrames } = await c.request('stackTrace', { threadId: 1 });
    assert.equal(parseInt(stackFrames[0].instructionPointerReference, 16), div.address);
    assert.deepEqual([stackFrames[0].source?.path, stackFrames[0].line], [join(EXAMPLES_DIR, 'triple-fault', 'triple-fault.asm'), div.line]);
    const info = await c.request('exceptionInfo', { threadId: 1 });
    assert.match(info.description, /SHUTDOWN/);
  });

  test('readFault: #DE → #DF → shutdown, each link with its rule, error code decoded, the descriptor and the gate it looked at', async () => {
    const { c } = await launched();
    const f = await c.request('bootscope/readFault');
    assert.equal(f.path, '#DE → #DF → shutdown');
    assert.equal(f.tripleFault, true);
    assert.equal(f.current, true);
    assert.equal(f.instruction, (await c.request('bootscope/status')).instructions);
    const [de, df] = f.links;
    assert.deepEqual([de.name, de.kind, de.rule.id, de.rule.section, de.raised.name, de.raised.errorCode, de.then.id],
      ['#DE divide error', 'exception', 'GATE.CS.NOT_PRESENT', '6.12.1', '#NP segment not present', 9, 'DF.CONTRIBUTORY']);
    assert.equal(de.rule.text, 'the handler\'s code segment is present');
    assert.deepEqual([df.name, df.errorCode, df.errorCodeText, df.then.id], ['#DF double fault', 0, 'always 0', 'SHUTDOWN']);
    // The gdt label of the listing: entry 1 of the GDT, and IDT entry 0 at 0x1000 (idt equ 0x1000).
    const gdt = marker('triple-fault', 'GDT_BASE').address;
    assert.deepEqual(de.subjects.map((s: { label: string; linear: number; length: number; table: string; index: number }) => [s.label, s.linear, s.length, s.table, s.index]), [
      ['GDT entry 1 (selector 0x0008): the handler\'s code segment', gdt + 8, 8, 'gdt', 1],
      ['IDT entry 0 (the gate of vector 0 (#DE divide error))', 0x1000, 8, 'idt', 0],
    ]);
    assert.equal(df.subjects[1].linear, 0x1000 + 8 * 8);

    // The Timeline shows the exceptions at the faulting instruction (one tick for both), with the chain and rule on hover.
    const tl = await wholeTimeline(c, { profile: 'raw' });
    const exc = tl.events.filter((e: { kind: string }) => e.kind === 'exception');
    assert.deepEqual(exc.map((e: { at: number; count: number }) => [e.at, e.count]), [[f.instruction - 1, 2]]);
    assert.match(exc[0].label, /^#DE divide error at 0018:[0-9A-F]{4} — DIV\.ZERO \(SDM 6\.15 Interrupt 0\): dividing 0x[0-9a-f]+ by 0 \(32-bit operand\) — fault chain #DE → #DF → shutdown — delivery faulted: GATE\.CS\.NOT_PRESENT \(SDM 6\.12\.1\): delivering vector 0 .*; then DF\.CONTRIBUTORY$/);
  });

  test('find the write that broke it: the descriptor\'s last write is #RETIRE, the gate\'s is #GATE_CS; the chain stays in view', async () => {
    const { c } = await launched();
    const faultAt = (await c.request('bootscope/status')).instructions;
    const find = async (link: number, subject: number) => {
      const stop = c.nextStop(30000);
      const r = await c.request('bootscope/findFaultWrite', { link, subject });
      await stop;
      return r;
    };
    const retire = marker('triple-fault', 'RETIRE');
    const r = await find(0, 0);
    assert.equal(r.found, true, r.message);
    assert.match(r.message, /^instruction \d+ at 0018:[0-9A-F]{4} made the last write to GDT entry 1 \(selector 0x0008\): the handler's code segment before the fault$/);
    assert.equal(await pc(c), retire.address);
    assert.ok(r.instruction < faultAt);
    const frame = (await c.request('stackTrace', { threadId: 1 })).stackFrames[0];
    assert.equal(frame.line, retire.line);

    // Travelled back, the panel still shows the chain seen at the fault; a second search starts from the fault again.
    const f = await c.request('bootscope/readFault');
    assert.deepEqual([f.current, f.instruction, f.links.length], [false, faultAt, 2]);
    await find(0, 1);
    assert.equal(await pc(c), marker('triple-fault', 'GATE_CS').address, 'the gate\'s selector written in the IDT loop');
    const none = await c.raw('bootscope/findFaultWrite', { link: 5, subject: 0 });
    assert.equal(none.success, false);
    assert.match(none.message ?? '', /the fault chain has 2 links; there is no link 6/);
  });

  test('debug console: info fault numbers what each rule looked at; fault write 1.1 walks back to #RETIRE', async () => {
    const { c } = await launched();
    const info = await repl(c, 'info fault');
    assert.match(info, /^fault chain #DE → #DF → shutdown/);
    assert.match(info, /\n {3}1\.1 GDT entry 1 \(selector 0x0008\): the handler's code segment — 8 bytes at linear 0x[0-9a-f]{8}: fault write 1\.1\n/);
    assert.match(info, /\n {3}2\.2 IDT entry 8 \(the gate of vector 8 \(#DF double fault\)\) — 8 bytes at linear 0x00001040: fault write 2\.2/);
    const stop = c.nextStop(30000);
    assert.match(await repl(c, 'fault write 1.1'), /searching the recording for the last write to GDT entry 1/);
    const ev = await stop;
    assert.match(ev.body.description ?? '', /the last write to GDT entry 1 .* before the fault/);
    assert.equal(await pc(c), marker('triple-fault', 'RETIRE').address);
    const bad = await c.raw('evaluate', { expression: 'fault write 1.9', context: 'repl', frameId: 0 });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /link 1 has 2 entries to search \(info fault lists them\); there is no 1\.9/);
  });
});
