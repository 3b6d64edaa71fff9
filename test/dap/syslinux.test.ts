// The syslinux image of test/boot/images.ts (Debian's mbr.bin → FAT16 VBR → ldlinux.sys) over DAP:
// the MBR's entry at 0000:7C00, its far jump to the copy of itself at 0000:061F (mbr.bin relocates to
// 0000:0600 with `rep movsw`, then `jmp 0:061F`), and the VBR it loads and enters at 0000:7C00.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { missingTools, syslinuxImage } from '../boot/images';
import { DapClient } from './dapClient';

const skip = missingTools('syslinux') ?? false;

async function regs(c: DapClient): Promise<Map<string, string>> {
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
  const out = new Map<string, string>();
  for (const s of scopes) {
    const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: s.variablesReference });
    for (const v of variables) out.set(v.name, v.value);
  }
  return out;
}

async function disassembly(c: DapClient, linear: number, count: number): Promise<string[]> {
  const { instructions } = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', {
    memoryReference: `0x${linear.toString(16)}`, instructionCount: count,
  });
  return instructions.map((i) => `${i.instructionBytes}  ${i.instruction}`);
}

async function frames(c: DapClient): Promise<DebugProtocol.StackFrame[]> {
  return (await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 })).stackFrames;
}

describe('syslinux over DAP', { skip }, () => {
  let c: DapClient;
  before(async () => {
    c = DapClient.spawn();
    await c.launch({ image: syslinuxImage() }, async () => {
      await c.request('setFunctionBreakpoints', { breakpoints: [{ name: '0000:7C00' }, { name: '0000:061F' }] });
    });
  });
  after(() => c?.close());

  test("entry: mbr.bin's first instructions at 0000:7C00, DL = 80h, the BIOS's stack", async () => {
    const [top] = await frames(c);
    assert.equal(top.name, '0000:7C00 real');
    assert.deepEqual(await disassembly(c, 0x7c00, 4), [
      '33 c0  0000:7C00  xor ax,ax', 'fa  0000:7C02  cli', '8e d8  0000:7C03  mov ds,ax', '8e d0  0000:7C05  mov ss,ax',
    ]);
    const r = await regs(c);
    assert.equal(r.get('edx'), '0x00000080');
    assert.equal(r.get('esp'), '0x00006f04');
  });

  test('the far jump to the relocated copy stops at 0000:061F with the copy done and ES:DI pushed', async () => {
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'function breakpoint');
    const [top] = await frames(c);
    assert.equal(top.name, '0000:061F real');
    assert.equal(top.instructionPointerReference, '0x0000061f');
    const r = await regs(c);
    // rep movsw copied 256 words from 0000:7C00 to 0000:0600: SI and DI end past them, CX is 0.
    assert.equal(r.get('esi'), '0x00007e00');
    assert.equal(r.get('edi'), '0x00000800');
    assert.equal(r.get('ecx'), '0x00000000');
    assert.equal(r.get('esp'), '0x00007bfc'); // SS:SP = 0000:7C00, then PUSH ES and PUSH DI
    assert.equal(r.get('ss'), r.get('ds'));
    const stack = await c.request<DebugProtocol.ReadMemoryResponse['body']>('readMemory', { memoryReference: '0x7bfc', count: 4 });
    assert.equal(Buffer.from(stack.data!, 'base64').readUInt16LE(2), 0, 'the pushed ES (0 at boot)');
    assert.deepEqual(await disassembly(c, 0x61f, 3), ['52  0000:061F  push dx', '52  0000:0620  push dx', 'b4 41  0000:0621  mov ah,0x41']);
  });

  test('the MBR loads the VBR and jumps to it at 0000:7C00: a FAT boot sector with DL = 80h', async () => {
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    assert.equal((await stop).body.reason, 'function breakpoint');
    // mbr.bin enters the VBR from inside the routine `call 0x6c1` at 0658 started (it never returns),
    // so the shadow stack still holds that call.
    const [top, caller] = await frames(c);
    assert.equal(top.name, '0000:7C00 real (in call from 0000:0658)');
    assert.equal(caller.name, '0000:0658 real');
    const boot = Buffer.from((await c.request<DebugProtocol.ReadMemoryResponse['body']>('readMemory', { memoryReference: '0x7c00', count: 512 })).data!, 'base64');
    assert.equal(boot.toString('latin1', 0x36, 0x3e), 'FAT16   ', 'the VBR (mkfs.fat wrote its file-system type there)');
    assert.equal(boot.readUInt16LE(510), 0xaa55);
    const [first] = await disassembly(c, 0x7c00, 1);
    assert.match(first, /^eb [0-9a-f]{2}  0000:7C00  jmp short 0x7c[0-9a-f]{2}$/);
    assert.equal((await regs(c)).get('edx')!.slice(-2), '80');
  });
});
