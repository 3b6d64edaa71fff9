// DAP inspection over the built adapter: evaluate (expressions, memory operands, errors, console
// commands), disassemble, readMemory/writeMemory, setVariable on segment registers and flags,
// custom requests, exception filters, halt and triple fault stops, REP stepping.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture, pc } from './dapClient';

let basic: Fixture, faults: Fixture, halt: Fixture;
before(() => {
  basic = assemble('basic');
  faults = assemble('faults');
  halt = assemble('halt');
});

async function ev(c: DapClient, expression: string, context = 'repl'): Promise<DebugProtocol.EvaluateResponse['body']> {
  return c.request('evaluate', { expression, context, frameId: 0 });
}

async function runTo(c: DapClient, linear: number): Promise<DebugProtocol.StoppedEvent> {
  await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${linear.toString(16)}` }] });
  const stop = c.nextStop();
  await c.request('continue', { threadId: 1 });
  const s = await stop;
  await c.request('setInstructionBreakpoints', { breakpoints: [] });
  return s;
}

describe('evaluate, memory, disassembly, setVariable', () => {
  let c: DapClient;
  before(async () => {
    c = DapClient.spawn();
    await c.launch({ image: basic.image });
    await runTo(c, basic.marker('CALL'));
  });
  after(() => c?.close());

  test('registers, fields and arithmetic', async () => {
    assert.equal((await ev(c, 'ax')).result, '0x1234');
    assert.equal((await ev(c, 'al')).result, '0x34');
    assert.equal((await ev(c, 'ah + 1')).result, '0x13');
    assert.equal((await ev(c, 'eflags.vm')).result, '0');
    assert.equal((await ev(c, 'eflags.iopl')).result, '0');
    assert.equal((await ev(c, 'cs.base')).result, '0x00000000');
    assert.equal((await ev(c, 'cs.limit')).result, '0x0000ffff');
    assert.equal((await ev(c, 'cr0.pe')).result, '0');
    assert.equal((await ev(c, '(bx - ax) * 2')).result, '0x8888');
    assert.equal((await ev(c, '7c00h == 0x7c00')).result, '1');
  });

  test('pointers and memory operands carry memory references', async () => {
    const p = await ev(c, '0000:7C00');
    assert.equal(p.result, '0000:7C00 (linear 0x7c00)');
    assert.equal(p.memoryReference, '0x00007c00');
    assert.equal((await ev(c, 'linear(cs:ip)')).result, `0x0000${basic.marker('CALL').toString(16)}`);
    assert.equal((await ev(c, 'phys(0x7c00)')).result, '0x00007c00');
    const b = await ev(c, 'byte [cs:ip]');
    assert.equal(b.result, '0xe8');
    assert.equal(b.memoryReference, `0x0000${basic.marker('CALL').toString(16)}`);
    assert.equal((await ev(c, 'word [0:7c00]')).result, '0xc031');
    assert.equal((await ev(c, 'dword [es:bx-0x5678+0x7c00]')).result, '0xd88ec031');
    assert.equal((await ev(c, '[ds:0x7c00]')).result, '0xc031');
  });

  test('bad expressions give clear errors and the session continues', async () => {
    const cases: [string, RegExp][] = [
      ['foo', /unknown name 'foo'/],
      ['ax +', /ends too early/],
      ['[ds:si', /expected '\]'/],
      ['7c00', /not a number: write hex as 0x7c00 or 7c00h/],
      ['1 / 0', /division by zero/],
      ['ax $ 2', /unexpected character '\$'/],
      ['info frobs', /unknown 'info frobs'/],
      ['x/16q ds:si', /use x\/<count><b\|w\|d>/],
    ];
    for (const [expr, re] of cases) {
      const r = await c.raw('evaluate', { expression: expr, context: 'repl', frameId: 0 });
      assert.equal(r.success, false, expr);
      assert.match(r.message ?? '', re, expr);
    }
    assert.equal((await ev(c, 'ax')).result, '0x1234');
  });

  test('console commands: x/ and info', async () => {
    const x = await ev(c, 'x/4b 0000:7C00');
    assert.equal(x.result, '0000:7C00  31 c0 8e d8');
    const w = await ev(c, 'x/2w 0x7c00');
    assert.equal(w.result, '00007C00  c031 d88e');
    assert.match((await ev(c, 'info mode')).result, /^real at 0000:7C0C/);
    assert.match((await ev(c, 'info idt')).result, /^IVT base=0x00000000 limit=0x3ff\n00h  F000:[0-9A-F]{4}\n/);
    assert.match((await ev(c, 'info tss')).result, /no TSS/);
    assert.match((await ev(c, 'help')).result, /Commands: info gdt/);
  });

  test('disassemble around CS:IP with bytes and SSSS:OOOO text', async () => {
    const at = basic.marker('CALL');
    const d = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', {
      memoryReference: `0x${at.toString(16)}`, instructionOffset: -2, instructionCount: 5, resolveSymbols: true,
    });
    const lines = d.instructions.map((i) => `${i.address}  ${i.instructionBytes}  ${i.instruction}`);
    assert.deepEqual(lines, [
      '0x00007c06  b8 34 12  0000:7C06  mov ax,0x1234',
      '0x00007c09  bb 78 56  0000:7C09  mov bx,0x5678',
      '0x00007c0c  e8 1b 00  0000:7C0C  call 0x7c2a',
      '0x00007c0f  c7 06 00 7e ef be  0000:7C0F  mov word [0x7e00],0xbeef',
      '0x00007c15  90  0000:7C15  nop',
    ]);
  });

  test('readMemory and writeMemory on linear addresses; unmapped bytes are unreadable', async () => {
    const r = await c.request<DebugProtocol.ReadMemoryResponse['body']>('readMemory', { memoryReference: '0x7c00', count: 4 });
    assert.equal(r.address, '0x00007c00');
    assert.deepEqual([...Buffer.from(r.data!, 'base64')], [0x31, 0xc0, 0x8e, 0xd8]);
    const w = await c.request<DebugProtocol.WriteMemoryResponse['body']>('writeMemory', { memoryReference: '0x9000', data: Buffer.from([1, 2, 3]).toString('base64') });
    assert.equal(w.bytesWritten, 3);
    assert.equal((await ev(c, 'x/3b 0x9000')).result, '00009000  01 02 03');
    const bad = await c.raw('readMemory', { memoryReference: 'nowhere', count: 4 });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /not an address/);
  });

  test('setVariable on a segment register in real mode reloads its base; cache fields are marked', async () => {
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    const segRef = scopes.find((s) => s.name === 'Segment Registers')!.variablesReference;
    const set = await c.request<DebugProtocol.SetVariableResponse['body']>('setVariable', { variablesReference: segRef, name: 'es', value: '0xb800' });
    assert.match(set.value, /^0xb800 base=0x000b8000 limit=0xffff/);
    assert.equal((await ev(c, 'es.base')).result, '0x000b8000');
    const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: segRef });
    const es = variables.find((v) => v.name === 'es')!;
    const fields = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: es.variablesReference });
    const limitRef = es.variablesReference;
    await c.request('setVariable', { variablesReference: limitRef, name: 'limit', value: '0xffffffff' });
    assert.equal(fields.variables[2].name, 'limit');
    assert.equal((await ev(c, 'es.limit')).result, '0xffffffff');
    const again = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: segRef });
    assert.match(again.variables.find((v) => v.name === 'es')!.value, /\[cache edited\]$/);
    assert.match(c.output(), /hidden cache written directly \(es\.limit\)/);
    // Reloading the selector keeps the (unreal-mode) limit, as MOV ES does in real mode, and clears the mark.
    await c.request('setVariable', { variablesReference: segRef, name: 'es', value: '0' });
    const last = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: segRef });
    assert.match(last.variables.find((v) => v.name === 'es')!.value, /^0x0000 base=0x00000000 limit=0xffffffff ar=0x00093$/);
  });

  test('setVariable on a flag bit and a general register', async () => {
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    const flagsRef = scopes.find((s) => s.name === 'EFLAGS')!.variablesReference;
    await c.request('setVariable', { variablesReference: flagsRef, name: 'CF', value: '1' });
    assert.equal((await ev(c, 'eflags.cf')).result, '1');
    const genRef = scopes.find((s) => s.name === 'General Registers')!.variablesReference;
    const r = await c.request<DebugProtocol.SetVariableResponse['body']>('setVariable', { variablesReference: genRef, name: 'eax', value: 'ax + 1' });
    assert.equal(r.value, '0x00001235');
    const bad = await c.raw('setVariable', { variablesReference: genRef, name: 'eax', value: 'nonsense' });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /cannot set eax: unknown name 'nonsense'/);
  });

  test('custom requests: screen and interrupt table', async () => {
    const s = await c.request('bootscope/readScreen', {});
    assert.equal(s.text.length, 25);
    const t = await c.request('bootscope/readDescriptorTable', { table: 'idt', max: 2 });
    assert.equal(t.name, 'ivt');
    assert.equal(t.entries.length, 2);
    const bad = await c.raw('bootscope/nope', {});
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /unknown request/);
  });
});

describe('exceptions, GDT, halt', () => {
  test('info gdt after LGDT in real mode; an exception filter stops at the #UD handler; triple fault stops', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: faults.image }, async () => {
        await c.request('setExceptionBreakpoints', { filters: ['vector-6'] });
      });
      await runTo(c, faults.marker('GDT'));
      const gdt = (await ev(c, 'info gdt')).result.split('\n');
      assert.match(gdt[0], /^GDT base=0x00007C\w\w limit=0x17 \(3 entries\)$/);
      assert.equal(gdt[1], '0000  null');
      assert.equal(gdt[2], '0008  base=00000000 limit=FFFFFFFF  code, execute/read  DPL=0 P=1 D/B=1 G=1');
      const table = await c.request('bootscope/readDescriptorTable', { table: 'gdt' });
      assert.equal(table.entries[2].access, 0xc092);
      let stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      const s = await stop;
      assert.equal(s.body.reason, 'exception');
      assert.match(s.body.description!, /^#UD invalid opcode at 0000:7C\w\w: UD\.OPCODE$/, 'the stop names the rule that raised it');
      assert.equal(await pc(c), faults.marker('HANDLER'));
      const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      assert.equal(stackFrames.length, 2);
      assert.match(stackFrames[0].name, /in exception #UD invalid opcode/);
      assert.equal(parseInt(stackFrames[1].instructionPointerReference!, 16), faults.marker('UD'));
      // The handler returns past the UD2 (IRET to a changed address): stepOut still ends with its frame.
      stop = c.nextStop();
      await c.request('stepOut', { threadId: 1 });
      assert.equal((await stop).body.reason, 'step');
      assert.equal(await pc(c), faults.marker('LIDT'));
      const after1 = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      assert.equal(after1.stackFrames.length, 1);
      stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      const t = await stop;
      assert.equal(t.body.reason, 'exception');
      // IDTR limit 0: INT 3, then #GP, then #DF find no IVT entry; the stop names the rule.
      assert.equal(t.body.description, 'triple fault: IVT.ENTRY.LIMIT');
      const info = (await ev(c, 'info fault')).result.split('\n');
      assert.equal(info[0], 'fault chain INT 0x03 → #GP → #DF → shutdown');
      assert.match(info[1], /^1\. vector 3 \(INT 0x03\) at 0000:7C\w\w$/);
      assert.equal(info[2], '   IVT.ENTRY.LIMIT (SDM 20.1.4): delivering vector 3 (INT 0x03): IVT entry 3 needs bytes 0xc-0xf but the IDTR limit is 0x0');
      assert.equal(info[3], '   → raised vector 13 (#GP general protection) error code 0x001a');
      assert.ok(info.some((l) => l.startsWith('   → DF.CONTRIBUTORY (SDM Table 6-5): vector 13 (#GP general protection) was raised while delivering vector 13')));
      assert.equal(info[info.length - 2], '   → SHUTDOWN (SDM 6.15 Interrupt 8): vector 13 (#GP general protection) was raised while delivering #DF: triple fault, the CPU shuts down');
      // What the last link's rule looked at, numbered for `fault write`.
      assert.equal(info[info.length - 1], '   3.1 idtr.limit (register): fault write 3.1');
      const x = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: 1 });
      assert.match(x.description!, /IVT entry 8 needs bytes 0x20-0x23 but the IDTR limit is 0x0/);
    } finally {
      await c.close();
    }
  });

  test('stepIn does one REP iteration, next the whole REP; HLT with IF=0 stops as an exception', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: halt.image, cpu: '8086' });
      await runTo(c, halt.marker('REP'));
      // A write watch in the middle of the string stops after the iteration that wrote it, at the REP.
      const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: '0x8005', asAddress: true, bytes: 1 });
      await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId, accessType: 'readWrite' }] });
      let stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      assert.equal((await stop).body.reason, 'data breakpoint');
      assert.equal(await pc(c), halt.marker('REP'));
      assert.equal((await ev(c, 'cx')).result, '0x000a');
      assert.equal((await ev(c, 'di')).result, '0x8006');
      await c.request('setDataBreakpoints', { breakpoints: [] });
      stop = c.nextStop();
      await c.request('stepIn', { threadId: 1 });
      await stop;
      assert.equal(await pc(c), halt.marker('REP'));
      assert.equal((await ev(c, 'cx')).result, '0x0009');
      stop = c.nextStop();
      await c.request('next', { threadId: 1 });
      await stop;
      assert.equal(await pc(c), halt.marker('CLI'));
      assert.equal((await ev(c, 'cx')).result, '0x0000');
      assert.equal((await ev(c, 'x/2b 0x800e')).result, '0000800E  5a 5a');
      stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      const s = await stop;
      assert.equal(s.body.reason, 'exception');
      assert.match(s.body.description!, /HLT with interrupts disabled/);
    } finally {
      await c.close();
    }
  });
});

describe('event filters', () => {
  test('INT n with an AH condition, port I/O, LGDT and the switch to protected mode stop after the instruction', async () => {
    const events = assemble('events');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: events.image }, async () => {
        const r = await c.request<DebugProtocol.SetExceptionBreakpointsResponse['body']>('setExceptionBreakpoints', {
          filters: ['table-load', 'mode-switch'],
          filterOptions: [{ filterId: 'int', condition: 'vector == 0x13 && ah == 2' }, { filterId: 'io', condition: 'port == 0x64 && out' }],
        });
        assert.ok(r.breakpoints!.every((b) => b.verified));
      });
      const expect: [RegExp, number][] = [
        [/^INT 13h \(AH=02h\) at 0000:7C\w\w$/, events.marker('H13')],
        [/^OUT port 0064h ← D1h at 0000:7C\w\w$/, events.marker('AFTEROUT')],
        [/^LGDT at 0000:7C\w\w: GDTR 00000000\/0000/, events.marker('AFTERLGDT')],
        [/^mode switch: CR0\.PE 0→1 by the instruction at 0000:7C\w\w$/, events.marker('AFTERCR0')],
      ];
      for (const [re, at] of expect) {
        const stop = c.nextStop();
        await c.request('continue', { threadId: 1 });
        const s = await stop;
        assert.equal(s.body.reason, 'exception');
        assert.match(s.body.description!, re);
        assert.equal(await pc(c), at);
      }
      const info = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: 1 });
      assert.match(info.description!, /mode switch/);
      assert.match((await ev(c, 'info mode')).result, /^pm16 at/);
    } finally {
      await c.close();
    }
  });
});

describe('protected-mode state set from the debugger', () => {
  test('CR0.PE and CS loaded from the GDT: the frame says pm32 and disassembly decodes 32-bit code', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: faults.image });
      await runTo(c, faults.marker('GDT'));
      const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
      const ref = (name: string) => scopes.find((s) => s.name === name)!.variablesReference;
      const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ref('Control Registers') });
      await c.request('setVariable', { variablesReference: variables.find((v) => v.name === 'cr0')!.variablesReference, name: 'PE', value: '1' });
      const cs = await c.request<DebugProtocol.SetVariableResponse['body']>('setVariable', { variablesReference: ref('Segment Registers'), name: 'cs', value: '8' });
      assert.match(cs.value, /^0x0008 base=0x00000000 limit=0xffffffff ar=0x0c09a/);
      assert.match(c.output(), /cs: loaded from descriptor: base 0 limit ffffffff/);
      const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      assert.equal(stackFrames[0].name, `0008:${faults.marker('GDT').toString(16).toUpperCase().padStart(4, '0')} pm32`);
      await c.request('writeMemory', { memoryReference: '0x9000', data: Buffer.from([0xb8, 0x78, 0x56, 0x34, 0x12]).toString('base64') });
      const d = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', { memoryReference: '0x9000', instructionCount: 1 });
      assert.equal(d.instructions[0].instruction, '0008:9000  mov eax,0x12345678');
      const bad = await c.raw('setVariable', { variablesReference: ref('Segment Registers'), name: 'ds', value: '0x40' });
      assert.equal(bad.success, false);
      assert.match(bad.message!, /selector 0040 is outside the GDT/);
      assert.equal((await ev(c, '0010:0000 + 4')).result, '0010:0004 (linear 0x4)');
    } finally {
      await c.close();
    }
  });
});

describe('VM entry from the live state', () => {
  test('real mode fails raw entry on CR0.PE/PG and enters as an unrestricted guest; every profile works live; readVmcs lists guest fields', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: basic.image });
      const raw = await c.request('bootscope/checkVmEntry', { profile: 'raw' });
      assert.equal(raw.verdict, 'fail');
      const cr0 = raw.checks.find((k: { id: string }) => k.id === 'CR0.FIXED');
      assert.equal(cr0.status, 'fail');
      assert.equal(cr0.section, '26.3.1.1');
      assert.match(cr0.message, /bits 0 \(PE\), 31 \(PG\) must be 1/);
      const ug = await c.request('bootscope/checkVmEntry', { profile: 'unrestricted' });
      assert.equal(ug.verdict, 'enter', JSON.stringify(ug.checks.filter((k: { status: string }) => k.status === 'fail')));
      assert.ok(ug.checks.filter((k: { status: string }) => k.status === 'pass').length > 20);
      // Real mode with base = selector << 4 everywhere is what Xen runs as vm86.
      const xen = await c.request('bootscope/checkVmEntry', { profile: 'xen-vm86' });
      assert.equal(xen.verdict, 'enter');
      const bad = await c.raw('bootscope/checkVmEntry', { profile: 'vmware' });
      assert.equal(bad.success, false);
      assert.match(bad.message!, /unknown profile 'vmware'/);
      const vmcs = await c.request('bootscope/readVmcs', { profile: 'unrestricted' });
      const cs = vmcs.rows.find((f: { name: string }) => f.name === 'GUEST_CS_AR_BYTES');
      assert.equal(cs.value, 0x9b);
      assert.equal(cs.encoding, 0x4816);
      assert.match((await ev(c, 'info vmentry')).result, /^raw: fail[^]*unrestricted: enter[^]*xen-vm86: enter[^]*kvm-rmode: /);
    } finally {
      await c.close();
    }
  });
});

describe('breakOnVmEntryFailure', () => {
  test('stops after the instruction that turns the verdict from enter to fail', async () => {
    const vm = assemble('vmentry');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: vm.image, breakOnVmEntryFailure: true, profile: 'raw', stopOnEntry: false });
      const s = await c.waitFor('stopped') as DebugProtocol.StoppedEvent;
      assert.equal(s.body.reason, 'exception');
      assert.match(s.body.description!, /^VM entry would fail \(raw\) after the instruction at 0000:7C\w\w: §26\.3\.1\.1 CR0\.FIXED: /);
      assert.equal(await pc(c), vm.marker('AFTEROFF'));
    } finally {
      await c.close();
    }
  });
});

describe('disassemble bounds', () => {
  test('a huge backward window answers quickly with exactly the requested count', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: basic.image });
      const t0 = Date.now();
      const d = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', {
        memoryReference: '0x7c00', instructionOffset: -3000, instructionCount: 3010,
      });
      assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
      assert.equal(d.instructions.length, 3010);
      assert.equal(d.instructions[3000].address, '0x00007c00');
      assert.equal(d.instructions[3000].instruction, '0000:7C00  xor ax,ax');
    } finally {
      await c.close();
    }
  });
});

describe('next over INT', () => {
  test('next runs the whole interrupt handler and stops after the INT', async () => {
    const events = assemble('events');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: events.image });
      await runTo(c, events.marker('INT1'));
      const stop = c.nextStop();
      await c.request('next', { threadId: 1 });
      assert.equal((await stop).body.reason, 'step');
      assert.equal(await pc(c), events.marker('INT1') + 2);
      const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      assert.equal(stackFrames.length, 1);
    } finally {
      await c.close();
    }
  });
});

describe('backward disassembly', () => {
  test('instructions before an address follow the executed path where two readings of the bytes both land on it', async () => {
    const fx = assemble('backward');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image });
      // Step into the run: the stops are known instruction starts.
      for (let i = 0; i < 3; i++) {
        const stop = c.nextStop();
        await c.request('stepIn', { threadId: 1 });
        await stop;
      }
      await runTo(c, fx.marker('TARGET'));
      const target = fx.marker('TARGET');
      const { instructions } = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', {
        memoryReference: `0x${target.toString(16)}`, instructionOffset: -5, instructionCount: 6,
      });
      assert.deepEqual(instructions.map((i) => i.instruction.replace(/^\S+\s+/, '')), [
        'mov al,0xb0', 'mov al,0xb0', 'mov al,0xb0', 'mov al,0xb0', 'inc ax', 'nop',
      ]);
      assert.equal(parseInt(instructions[4].address, 16), fx.marker('LAST'));
      assert.equal(parseInt(instructions[5].address, 16), target);
      for (let i = 0; i + 1 < instructions.length; i++) {
        const len = instructions[i].instructionBytes!.split(' ').length;
        assert.equal(parseInt(instructions[i].address, 16) + len, parseInt(instructions[i + 1].address, 16), 'contiguous');
      }
    } finally {
      await c.close();
    }
  });
});
