// The examples in a real debug session (dist/debugAdapter.js over DAP, as VS Code runs it): the panels' requests on
// the states the README points at. vmentry-failure: the VM-entry verdicts at the stop after `mov cr0` and "find where
// this started" walking back to the load of SS; vm86-compare: the VMCS of the vm86 entry; loader: the descriptor
// tables in unreal mode; hello: the screen before the key wait.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DapClient, wholeTimeline } from '../dap/dapClient';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES_DIR, image, marker, NO_NASM } from './helpers';

async function runTo(c: DapClient, linear: number): Promise<void> {
  await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${linear}` }] });
  const stop = c.nextStop(60000);
  await c.request('continue', { threadId: 1 });
  await stop;
  const s = await c.request('bootscope/status');
  assert.equal((s.cs << 4) + s.eip === linear || s.eip === linear, true, `stopped at ${JSON.stringify(s)}, wanted ${linear.toString(16)}`);
}

describe('examples over DAP', { skip: NO_NASM }, () => {
  const clients: DapClient[] = [];
  const open = () => {
    const c = DapClient.spawn();
    clients.push(c);
    return c;
  };
  after(async () => { for (const c of clients) await c.close(); });

  test("vmentry-failure: after mov cr0 xen-vm86 emulates, raw fails SEL.SS_RPL/DPL.SS; 'last change ss' walks back to #SS_LOAD", async () => {
    const c = open();
    await c.launch({ image: image('vmentry-failure'), profile: 'xen-vm86' });
    const jmp = marker('vmentry-failure', 'FAR_JMP');
    await runTo(c, jmp.address);
    const xen = await c.request('bootscope/checkVmEntry', { profile: 'xen-vm86' });
    assert.equal(xen.verdict, 'emulate');
    const raw = await c.request('bootscope/checkVmEntry', { profile: 'raw' });
    assert.equal(raw.verdict, 'fail');
    const failing = raw.checks.filter((k: { status: string }) => k.status === 'fail').map((k: { id: string; section: string }) => `${k.id} §${k.section}`);
    assert.ok(failing.includes('SEL.SS_RPL §26.3.1.2') && failing.includes('DPL.SS §26.3.1.2'), failing.join(', '));
    const vmcs = await c.request('bootscope/readVmcs', { profile: 'raw' });
    assert.equal(vmcs.rows.find((r: { name: string }) => r.name === 'GUEST_SS_SELECTOR').value, 0x9ffb);

    // "Where did this start", from the debug console: the recorder walks back to the instruction that last changed SS.
    const ssLoad = marker('vmentry-failure', 'SS_LOAD');
    const changed = c.nextStop(30000);
    await c.request('evaluate', { expression: 'last change ss', context: 'repl', frameId: 0 });
    const r = { result: (await changed).body.description ?? '' };
    assert.match(r.result, /changed ss/);
    const { stackFrames } = await c.request('stackTrace', { threadId: 1 });
    assert.equal(parseInt(stackFrames[0].instructionPointerReference, 16), ssLoad.address, r.result);

    // The timeline marks where the hypervisors start emulating: right after `mov cr0` (raw VMX fails all along,
    // real mode included). A click on that span travels to the far jump.
    const raw2 = await wholeTimeline(c, { profile: 'raw' });
    assert.deepEqual(raw2.verdicts.map((v: { value: string }) => v.value), ['fail']);
    assert.deepEqual(raw2.modes.map((v: { value: string }) => v.value), ['real', 'pm16']);
    const xen2 = await wholeTimeline(c, { profile: 'xen-vm86' });
    assert.deepEqual(xen2.verdicts.map((v: { value: string }) => v.value), ['enter', 'emulate']);
    assert.equal(xen2.verdicts[1].from, raw2.modes[1].from);
    // Zoomed to the last 100 instructions: spans cut at the window, the whole range still reported.
    const w = await wholeTimeline(c, { profile: 'xen-vm86', from: xen2.last - 100, to: xen2.last + 5000 });
    assert.deepEqual([w.first, w.last, w.recordedFirst, w.recordedLast], [xen2.last - 100, xen2.last, 0, xen2.last]);
    assert.deepEqual(w.verdicts, [{ from: xen2.last - 100, to: xen2.verdicts[1].from, value: 'enter' }, xen2.verdicts[1]]);
    await c.request('bootscope/gotoInstruction', { instruction: xen2.verdicts[1].from });
    const atFail = await c.request('stackTrace', { threadId: 1 });
    assert.equal(parseInt(atFail.stackFrames[0].instructionPointerReference, 16), jmp.address);

    // The VM-entry panel's "find where this started failing" on SEL.SS_RPL under raw: back to the load of SS.
    const stopped = c.nextStop();
    const found = await c.request('bootscope/findCheckFailureStart', { profile: 'raw', checkId: 'SEL.SS_RPL' });
    await stopped;
    assert.equal(found.found, true, found.message);
    assert.match(found.message, /made SEL\.SS_RPL fail \(raw\); before it the check was pass/);
    const atLoad = await c.request('stackTrace', { threadId: 1 });
    assert.equal(parseInt(atLoad.stackFrames[0].instructionPointerReference, 16), ssLoad.address);
    const passing = await c.raw('bootscope/findCheckFailureStart', { profile: 'raw', checkId: 'SEL.SS_RPL' });
    assert.equal(passing.success, false);
    assert.match(passing.message ?? '', /does not fail here/);
  });

  test('examples/.vscode/launch.json "vmentry-failure (xen-vm86)": breakOnEmulation stops at #FAR_JMP, shown in the example\'s own source', async () => {
    image('vmentry-failure');
    const launchJson = JSON.parse(readFileSync(join(EXAMPLES_DIR, '.vscode', 'launch.json'), 'utf8'));
    const cfg = JSON.parse(JSON.stringify(launchJson.configurations.find((x: { name: string }) => x.name === 'vmentry-failure (xen-vm86)')).replaceAll('${workspaceFolder}', EXAMPLES_DIR));
    const c = open();
    const stop = c.nextStop(60000);
    await c.launch(cfg);
    const ev = await stop;
    assert.match(JSON.stringify(ev.body), /hypervisor would emulate \(xen-vm86\)/);
    const jmp = marker('vmentry-failure', 'FAR_JMP');
    const { stackFrames } = await c.request('stackTrace', { threadId: 1 });
    assert.equal(parseInt(stackFrames[0].instructionPointerReference, 16), jmp.address);
    assert.equal(stackFrames[0].source?.path, join(EXAMPLES_DIR, 'vmentry-failure', 'vmentry-failure.asm'));
    assert.equal(stackFrames[0].line, jmp.line);
  });

  test('vm86-compare: the VMCS of the vm86 entry under xen-vm86 (bases = selector << 4, limit 0xFFFF, AR 0xF3, RFLAGS.VM)', async () => {
    const c = open();
    await c.launch({ image: image('vm86-monitor'), profile: 'xen-vm86' });
    await runTo(c, marker('vm86task', 'VM86_TS', 0x9000).address);
    assert.equal((await c.request('bootscope/status')).mode, 'vm86');
    const vmcs = await c.request('bootscope/readVmcs', { profile: 'xen-vm86' });
    const v = (n: string) => vmcs.rows.find((r: { name: string }) => r.name === n)?.value;
    for (const s of ['CS', 'DS', 'ES', 'FS', 'GS']) {
      assert.deepEqual([v(`GUEST_${s}_SELECTOR`), v(`GUEST_${s}_BASE`), v(`GUEST_${s}_LIMIT`), v(`GUEST_${s}_AR_BYTES`)], [0x900, 0x9000, 0xffff, 0xf3], s);
    }
    assert.equal(v('GUEST_RFLAGS')! & 0x20000, 0x20000);
    assert.equal((await c.request('bootscope/checkVmEntry', { profile: 'xen-vm86' })).verdict, 'enter');
  });

  test('loader: at #UNREAL the descriptor view calls the mode unreal: DS limit 4 GiB', async () => {
    const c = open();
    await c.launch({ image: image('loader') });
    await runTo(c, marker('stage2', 'UNREAL', 0x8000).address);
    const t = await c.request('bootscope/readDescriptorTables');
    assert.equal(t.mode, 'unreal');
    assert.equal(t.segments.ds.limit, 0xffffffff);

    // The Timeline panel's data: the loader's mode sequence, its BIOS calls, and no change of position.
    const before = await c.request('bootscope/status');
    const tl = await wholeTimeline(c, { profile: 'xen-vm86' });
    assert.equal(tl.current, before.instructions);
    assert.deepEqual(await c.request('bootscope/status'), before);
    assert.deepEqual(tl.modes.map((m: { value: string }) => m.value), ['real', 'pm16', 'pm32', 'pm16', 'unreal']);
    assert.deepEqual(tl.verdicts.map((m: { value: string }) => m.value), ['enter']);
    const bios = tl.events.filter((e: { kind: string }) => e.kind === 'bios').map((e: { label: string }) => e.label);
    assert.match(bios[0], /^INT 13h AH=02h at 0000:06/);
    assert.ok(bios.some((l: string) => /^INT 15h AH=E8h/.test(l)), bios.join(', '));
    // A click on the strip travels there: the first protected-mode instruction.
    const pm16 = tl.modes[1].from;
    await c.request('bootscope/gotoInstruction', { instruction: pm16 });
    const there = await c.request('bootscope/status');
    assert.deepEqual([there.mode, there.instructions], ['pm16', pm16]);
  });

  test('hello with its listing: stepBack steps back over the BIOS call to the `int 0x13` line; by instruction it lands in the BIOS', async () => {
    const c = open();
    await c.launch({ image: image('hello'), listing: join(EXAMPLES_DIR, 'build', 'hello.lst') });
    const read = marker('hello', 'READ');
    const after = read.address + read.length; // jc read_error
    await runTo(c, after);
    const pcNow = async () => parseInt((await c.request('stackTrace', { threadId: 1 })).stackFrames[0].instructionPointerReference, 16);
    const back = async (args: Record<string, unknown>) => {
      const stop = c.nextStop(30000);
      await c.request('stepBack', { threadId: 1, ...args });
      await stop;
    };
    await back({ granularity: 'instruction' });
    assert.ok((await pcNow()) >= 0xf0000, 'one instruction back is the IRET of the BIOS stub');
    const stop = c.nextStop();
    await c.request('stepIn', { threadId: 1, granularity: 'instruction' });
    await stop;
    assert.equal(await pcNow(), after);
    await back({});
    assert.equal(await pcNow(), read.address, 'one line back: the int 0x13 that called the BIOS');
    const frame = (await c.request('stackTrace', { threadId: 1 })).stackFrames[0];
    assert.deepEqual([frame.source?.path, frame.line], [join(EXAMPLES_DIR, 'hello', 'hello.asm'), read.line]);
  });

  test('hello: the screen before the key wait', async () => {
    const c = open();
    await c.launch({ image: image('hello') });
    await runTo(c, marker('hello', 'KEY').address);
    const screen = await c.request('bootscope/readScreen');
    assert.equal(screen.text[0].trimEnd(), 'Hello from the boot sector!');
    assert.match(screen.text[1], /SECTOR-1 MARKER/);
    assert.equal(screen.text[2].trimEnd(), 'Press a key...');
  });
});
