// CS:IP breakpoints over DAP (Bochs `vb`): `SSSS:OOOO` stops where CS.selector and (E)IP match, in
// whatever mode the CPU gets there, whatever mode it was set in — forward, stepBack and
// reverseContinue alike. On the syslinux image (ldlinux's first protected-mode instruction, set at
// the real-mode entry) and on test/dap/fixtures/csip.asm (a protected-mode breakpoint set in vm86
// and a vm86 one set in protected mode, where the current mode's rules would put them elsewhere);
// the hovers of linear (Disassembly view) and CS:IP instruction breakpoints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { missingTools, syslinuxImage } from '../boot/images';
import { act, assemble, DapClient, type Fixture, repl } from './dapClient';

async function top(c: DapClient): Promise<DebugProtocol.StackFrame> {
  return (await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 })).stackFrames[0];
}

async function setFunction(c: DapClient, names: string[]): Promise<DebugProtocol.Breakpoint[]> {
  return (await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', {
    breakpoints: names.map((name) => ({ name })),
  })).breakpoints;
}

const h4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

describe('CS:IP breakpoints on the syslinux image', { skip: missingTools('syslinux') ?? false }, () => {
  let c: DapClient;
  before(async () => {
    c = DapClient.spawn();
    await c.launch({ image: syslinuxImage() });
  });
  after(() => c?.close());

  test("0020:8FA8 (ldlinux's first protected-mode instruction), set at the real-mode entry, stops exactly there", async () => {
    assert.equal((await top(c)).name, '0000:7C00 real');
    // In real mode 0020:8FA8 is linear 0x91A8; the GDT ldlinux loads later puts it at 0x8FA8.
    const [bp] = await setFunction(c, ['0020:8FA8']);
    assert.equal(bp.verified, true);
    assert.match(bp.message!, /^CS:IP 0020:8FA8: stops whenever CS = 0020 and \(E\)IP = 8FA8/);
    const stop = await act(c, 'continue');
    assert.equal(stop.body.reason, 'function breakpoint');
    assert.deepEqual(stop.body.hitBreakpointIds, [bp.id]);
    assert.match((await top(c)).name, /^0020:8FA8 pm32/);
    assert.equal(await repl(c, 'cs'), '0x0020');
    assert.equal(await repl(c, 'eip'), '0x00008fa8');
  });

  test('stepBack goes to the far jump before it (real-mode CS, CR0.PE set)', async () => {
    await act(c, 'stepBack');
    assert.match((await top(c)).name, /^0000:8AA3 /);
    assert.equal(await repl(c, 'cr0 & 1'), '0x01');
    const again = await act(c, 'continue');
    assert.equal(again.body.reason, 'function breakpoint');
    assert.match((await top(c)).name, /^0020:8FA8 pm32/);
  });

  test('reverseContinue to 0000:7C00 lands on the VBR entry, not on the MBR entry before it', async () => {
    const [, entry] = await setFunction(c, ['0020:8FA8', '0000:7C00']);
    const stop = await act(c, 'reverseContinue');
    assert.deepEqual(stop.body.hitBreakpointIds, [entry.id]);
    assert.match((await top(c)).name, /^0000:7C00 real/);
    // The MBR entered the VBR from the routine at 0658 (a near call, SP below the BIOS's 6F04).
    assert.notEqual(await repl(c, 'esp'), '0x00006f04');
    const boot = Buffer.from((await c.request<DebugProtocol.ReadMemoryResponse['body']>('readMemory', { memoryReference: '0x7c00', count: 0x40 })).data!, 'base64');
    assert.equal(boot.toString('latin1', 0x36, 0x3e), 'FAT16   ');
  });
});

describe('CS:IP breakpoints across protected mode and vm86 (csip.asm)', () => {
  let fx: Fixture;
  before(() => { fx = assemble('csip'); });
  /** CS:IP of a marker: protected mode (flat CS 0008) or vm86 (CS 0010, base 0x100). */
  const pm = (mark: string) => `0008:${h4(fx.marker(mark))}`;
  const v86 = (mark: string) => `0010:${h4(fx.marker(mark) - 0x100)}`;

  test('a protected-mode breakpoint set in vm86 stops at the #GP handler; stepBack, reverseContinue', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image });
      // Set in real mode, where 0010:OOOO would be linear 0x100 + OOOO too (vm86 agrees).
      await setFunction(c, [v86('VM1')]);
      await act(c, 'continue');
      assert.match((await top(c)).name, new RegExp(`^${v86('VM1')} vm86`));
      // In vm86, 0008:OOOO read with vm86 rules is linear 0x80 + OOOO: the handler is at OOOO.
      const [vm1, gp] = await setFunction(c, [v86('VM1'), pm('GP')]);
      const stop = await act(c, 'continue');
      assert.deepEqual(stop.body.hitBreakpointIds, [gp.id]);
      assert.match((await top(c)).name, new RegExp(`^${pm('GP')} pm32`));
      await act(c, 'stepBack');
      assert.match((await top(c)).name, new RegExp(`^${v86('INT1')} vm86`));
      const back = await act(c, 'reverseContinue');
      assert.deepEqual(back.body.hitBreakpointIds, [vm1.id]);
      assert.match((await top(c)).name, new RegExp(`^${v86('VM1')} vm86`));
    } finally {
      await c.close();
    }
  });

  test('a vm86 breakpoint set in protected mode stops in vm86 after the handler; stepBack, reverseContinue', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image });
      // Set in real mode, where 0008:OOOO would be linear 0x80 + OOOO.
      await setFunction(c, [pm('PM_START')]);
      await act(c, 'continue');
      assert.match((await top(c)).name, new RegExp(`^${pm('PM_START')} pm32`));
      // In protected mode 0010 is the flat data descriptor: 0010:OOOO would be linear OOOO, 0x100 short.
      const [start, vm2] = await setFunction(c, [pm('PM_START'), v86('VM2')]);
      const stop = await act(c, 'continue');
      assert.deepEqual(stop.body.hitBreakpointIds, [vm2.id]);
      assert.match((await top(c)).name, new RegExp(`^${v86('VM2')} vm86`));
      await act(c, 'stepBack');
      assert.match((await top(c)).name, new RegExp(`^${pm('RESUME')} pm32`));
      const back = await act(c, 'reverseContinue');
      assert.deepEqual(back.body.hitBreakpointIds, [start.id]);
      assert.match((await top(c)).name, new RegExp(`^${pm('PM_START')} pm32`));
    } finally {
      await c.close();
    }
  });
});

test('instruction breakpoints (the Disassembly view) are linear and say so in their hover; SSSS:OOOO ones say CS:IP', async () => {
  const fx = assemble('csip');
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image });
    const { breakpoints: [lin, csip] } = await c.request<DebugProtocol.SetInstructionBreakpointsResponse['body']>('setInstructionBreakpoints', {
      breakpoints: [{ instructionReference: `0x${fx.marker('PM_START').toString(16)}` }, { instructionReference: '0010:7B6F', offset: 2 }],
    });
    assert.match(lin.message!, new RegExp(`^linear address 0x${fx.marker('PM_START').toString(16)}: stops at whatever CS:IP reaches it`));
    assert.match(csip.message!, /^CS:IP 0010:7B71: stops whenever CS = 0010 and \(E\)IP = 7B71/);
  } finally {
    await c.close();
  }
});
