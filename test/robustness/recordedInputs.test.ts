// Inputs from outside the guest go through the recording (issue 14): keys typed into the guest
// (bootscope/typeKeys, as the console and the Screen panel send them), a debugger memory write and a register edit.
// Going back past them and forward again must replay the same history: every register and all RAM
// are compared with the first pass.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { act, assemble, DapClient, type Fixture, repl } from '../dap/dapClient';

let fx: Fixture;
before(() => { fx = assemble('inputs'); });

interface MachineState {
  registers: Record<string, string>;
  ram: string;
  keys: string;
}

async function state(c: DapClient): Promise<MachineState> {
  const registers: Record<string, string> = {};
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
  for (const s of scopes) {
    const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: s.variablesReference });
    for (const v of variables) registers[`${s.name}/${v.name}`] = v.value;
  }
  const mem = await c.request<DebugProtocol.ReadMemoryResponse['body']>('readMemory', { memoryReference: '0x0', count: 1 << 20 });
  const ram = Buffer.from(mem.data!, 'base64');
  assert.equal(ram.length, 1 << 20);
  return { registers, ram: createHash('sha256').update(ram).digest('hex'), keys: ram.subarray(0x8000, 0x8008).toString('latin1') };
}

const icount = async (c: DapClient) => Number(/(\d+) instructions/.exec(await repl(c, 'info mode'))![1]);

test('keys, a memory write and a register edit are replayed after going back past them', async () => {
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image, memoryMB: 1 });
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${fx.marker('LOOP').toString(16)}`, hitCondition: '3000' }] });
    await act(c, 'continue');
    await c.request('setInstructionBreakpoints', { breakpoints: [] });
    const edited = await icount(c);
    await c.request('bootscope/typeKeys', { text: 'xy' });
    await c.request('bootscope/typeKeys', { text: 'z' });
    await c.request('writeMemory', { memoryReference: '0x7e00', data: Buffer.from([0x34, 0x12]).toString('base64') });
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    const general = scopes.find((s) => s.name === 'General Registers')!;
    await c.request('setVariable', { variablesReference: general.variablesReference, name: 'ebx', value: '0x55' });

    const target = edited + 400_000;
    assert.match(await repl(c, `goto ${target}`), new RegExp(`at instruction ${target}$`));
    const first = await state(c);
    assert.equal(first.keys, 'xyz\0\0\0\0\0', 'the guest read the typed keys');
    assert.equal(await repl(c, 'word [0x7e00]'), '0x1234');
    assert.equal(await repl(c, 'bx'), '0x0055');

    assert.match(await repl(c, `goto ${edited - 1000}`), new RegExp(`at instruction ${edited - 1000}$`));
    assert.equal(await repl(c, 'word [0x7e00]'), '0x0000', 'before the edit');
    assert.match(await repl(c, `goto ${target}`), new RegExp(`at instruction ${target}$`));
    assert.deepEqual(await state(c), first, 'the replay reproduces every register and all RAM');
    assert.match(await repl(c, 'goto 0'), /at instruction 0$/);
    assert.match(await repl(c, `goto ${target}`), new RegExp(`at instruction ${target}$`));
    assert.deepEqual(await state(c), first, 'from the start of the recording too');
  } finally {
    await c.close();
  }
});
