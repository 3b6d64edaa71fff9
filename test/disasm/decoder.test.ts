// Unit tests of the shared decoder: structured operands, prefixes, addressing, per-model opcode maps,
// undefined opcodes, and instructionLength agreeing with decode. Node's test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, decodeRaw, instructionLength, RawInstruction, relTarget, type Instruction } from '../../emulator/decode/decoder';
import { flowOf } from '../../emulator/decode/flow';
import { ALL_ROWS, opMap } from '../../emulator/decode/opmap';
import { DECODE_TIERS as CPU_MODELS, type DecodeTier as CpuModel } from '../../emulator/decode/table';
import { randomBytes } from './ndisasm';

function dec(hex: string, bits: 16 | 32 = 16, model?: CpuModel): Instruction {
  const b = hex.match(/../g)!.map((x) => parseInt(x, 16));
  return decode((i) => b[i] ?? 0, bits, model);
}

test('ModRM 16-bit memory operand: mov ax,[bx+si+0x10]', () => {
  const i = dec('8b4010');
  assert.equal(i.valid, true);
  assert.equal(i.length, 3);
  assert.equal(i.row!.handler, 'mov_Gv_Ev');
  assert.deepEqual(i.modrm, { byte: 0x40, mod: 1, reg: 0, rm: 0 });
  assert.deepEqual(i.operands[0], { kind: 'reg', cls: 'gpr', index: 0, size: 2 });
  assert.deepEqual(i.operands[1], {
    kind: 'mem', size: 2, seg: 3, segOverride: false, base: 3, index: 6, scale: 1, disp: 0x10, dispSize: 1,
    addrSize: 16, implicit: false,
  });
});

test('BP-based addresses default to SS; a segment override wins', () => {
  const bp = dec('8b46fe').operands[1];
  assert.equal(bp.kind === 'mem' && bp.seg, 2);
  const es = dec('268b46fe');
  assert.equal(es.prefixes.seg, 0);
  assert.equal(es.operands[1].kind === 'mem' && es.operands[1].seg, 0);
});

test('32-bit SIB addressing with scale, disp32 and no base', () => {
  const i = dec('8b04cd78563412', 32);
  assert.equal(i.length, 7);
  assert.deepEqual(i.sib, { byte: 0xcd, scale: 3, index: 1, base: 5 });
  const m = i.operands[1];
  assert.ok(m.kind === 'mem');
  assert.equal(m.base, -1);
  assert.equal(m.index, 1);
  assert.equal(m.scale, 8);
  assert.equal(m.disp, 0x12345678);
  const esp = dec('8b442408', 32).operands[1];
  assert.ok(esp.kind === 'mem' && esp.base === 4 && esp.index === -1 && esp.seg === 2);
});

test('operand- and address-size prefixes flip the default', () => {
  const a = dec('66b878563412');
  assert.equal(a.opSize, 32);
  assert.equal(a.length, 6);
  assert.deepEqual(a.operands[1], { kind: 'imm', value: 0x12345678, size: 4, signExtended: false, implicit: false });
  const b = dec('66b83412', 32);
  assert.equal(b.opSize, 16);
  assert.equal(b.length, 4);
  const c = dec('678b00');
  assert.equal(c.addrSize, 32);
  assert.ok(c.operands[1].kind === 'mem' && c.operands[1].base === 0);
  assert.equal(dec('67e300').mnemonic, 'jecxz');
  assert.equal(dec('669c').mnemonic, 'pushfd');
});

test('relative and far branch operands', () => {
  const j = dec('ebfe');
  assert.deepEqual(j.operands[0], { kind: 'rel', disp: -2, size: 2 });
  assert.equal(relTarget(j, 0x7c00, -2, 2), 0x7c00);
  const far = dec('ea007c0000');
  assert.deepEqual(far.operands[0], { kind: 'far', selector: 0, offset: 0x7c00, size: 2 });
  const jz = dec('0f84fcff', 16);
  assert.equal(jz.row!.handler, 'jz_Jz');
  assert.equal(relTarget(jz, 0, -4, 2), 0);
  const far32 = dec('ea78563412 0800'.replace(' ', ''), 32);
  assert.deepEqual(far32.operands[0], { kind: 'far', selector: 8, offset: 0x12345678, size: 4 });
});

test('sign-extended Ib and group rows', () => {
  const i = dec('83c0ff');
  assert.equal(i.row!.handler, 'add_Ev_Ib');
  assert.deepEqual(i.operands[1], { kind: 'imm', value: 0xffff, size: 1, signExtended: true, implicit: false });
  assert.equal(dec('c1e004').row!.handler, 'shl_Ev_Ib');
  assert.equal(dec('f7d8').row!.handler, 'neg_Ev');
  assert.equal(dec('ff2f').row!.handler, 'jmp_Mp');
  assert.equal(dec('0f0117').row!.handler, 'lgdt_Ms');
  assert.equal(dec('8ed0').row!.handler, 'mov_Sw_Ew');
  assert.equal(dec('0fbae005').row!.handler, 'bt_Ev_Ib');
});

test('prefix record: LOCK, REP/REPNE (last wins), segment (last wins)', () => {
  const i = dec('f3f2a4');
  assert.equal(i.prefixes.rep, 0xf2);
  assert.deepEqual(i.prefixes.bytes, [0xf3, 0xf2]);
  assert.equal(dec('f00107').prefixes.lock, true);
  assert.equal(dec('263e8b07').prefixes.seg, 3);
});

test('undefined opcodes decode as invalid records, never throw', () => {
  const c7 = dec('c7c8');  // C7 /1
  assert.equal(c7.valid, false);
  assert.equal(c7.mnemonic, 'db');
  assert.equal(c7.length, 2);
  assert.equal(c7.row, null);
  assert.equal(dec('8d c0'.replace(' ', '')).valid, false);  // LEA with a register operand
  assert.equal(dec('0fff').valid, false);
  assert.equal(dec('8cf0').valid, false);  // MOV r/m,Sreg 6
  // 15 bytes of prefixes: the instruction is too long.
  assert.equal(dec('26'.repeat(16)).valid, false);
});

test('per-model maps: 8086 aliases, 286 and 386 additions, 486/586 rows', () => {
  assert.equal(dec('6000', 16, '8086').mnemonic, 'jo');
  assert.equal(dec('6000', 16, '80286').mnemonic, 'pusha');
  assert.equal(dec('0f', 16, '8086').row!.handler, 'pop_CS');
  assert.equal(dec('c00400', 16, '8086').row!.handler, 'ret_Iw');
  assert.equal(dec('d0f0', 16, '8086').row!.handler, 'setmo_Eb_1');
  assert.equal(dec('d0f0', 16, '80386').row!.handler, 'sal_Eb_1');
  assert.equal(dec('d0e0', 16, '8086').row!.handler, 'shl_Eb_1');
  assert.deepEqual(dec('8ef0', 16, '8086').operands[0], { kind: 'reg', cls: 'seg', index: 2, size: 2 });  // reg bit 2 ignored
  assert.equal(dec('0f20c0', 16, '80286').valid, false);
  assert.equal(dec('0f20c0', 16, '80386').valid, true);
  assert.equal(dec('648b07', 16, '80286').valid, false);  // FS: #UD on the 286
  assert.equal(dec('0fc8', 32, '80386').valid, false);
  assert.equal(dec('0fc8', 32, '80486').mnemonic, 'bswap');
  assert.equal(dec('0fa2', 32, '80486').mnemonic, 'cpuid');
  assert.equal(dec('0f31', 32, '80486').valid, false);
  assert.equal(dec('0f31', 32, 'pentium').mnemonic, 'rdtsc');
  assert.equal(dec('0fc70e', 16, 'pentium').mnemonic, 'cmpxchg8b');
  assert.equal(dec('0f44c1', 32, 'pentium').valid, false);
  assert.equal(dec('0f44c1', 32, 'later').mnemonic, 'cmovz');
  assert.equal(dec('0fa2', 32).mnemonic, 'cpuid');  // default model: everything
});

test('mandatory prefixes select VMCLEAR/VMXON and PAUSE', () => {
  const vmclear = dec('660fc737');
  assert.equal(vmclear.mnemonic, 'vmclear');
  assert.equal(vmclear.prefixes.opSize, false);
  assert.equal(dec('f30fc737').mnemonic, 'vmxon');
  assert.equal(dec('0fc737').mnemonic, 'vmptrld');
  assert.equal(dec('f390').mnemonic, 'pause');
});

test('x87 forms: ModRM consumed, memory sizes', () => {
  assert.equal(dec('dbe3').mnemonic, 'fninit');
  assert.equal(dec('dfe0').mnemonic, 'fnstsw');
  const fld = dec('dd4610');
  assert.equal(fld.length, 3);
  assert.ok(fld.operands[0].kind === 'mem' && fld.operands[0].size === 8);
  assert.equal(dec('d93f').row!.handler, 'fnstcw_Mw');
  assert.equal(dec('d92f').row!.handler, 'fldcw_Mw');
  assert.equal(dec('d9c1').row!.handler, 'fld_STi');
});

test('instructionLength agrees with decode, and nothing throws, on random bytes in every model', () => {
  for (const model of CPU_MODELS) {
    for (const bits of [16, 32] as const) {
      const bytes = randomBytes(0x1234 + bits + model.length, 8192);
      for (let off = 0; off < bytes.length - 16; off++) {
        const fetch = (i: number) => bytes[off + i];
        const i = decode(fetch, bits, model);
        assert.equal(instructionLength(fetch, bits, model), i.length, `${model} ${bits} at ${off}`);
        assert.ok(i.length >= 1 && i.length <= 15);
        if (i.valid) assert.equal(i.bytes.length, i.length);
      }
    }
  }
});

test('table: handler names in SDM operand notation, group slots distinct per model', () => {
  for (const r of ALL_ROWS) {
    assert.match(r.handler, /^[a-z][a-z0-9]*(_[A-Za-z0-9]+)*$/, r.handler);
    const base = r.mnemonic.split('|')[0];
    assert.ok(r.handler.startsWith(base) || r.handler.startsWith('prefix_') || ['pusha', 'popa', 'pushf', 'popf', 'iret', 'cbw', 'cwd'].some((h) => r.handler.startsWith(h)), r.handler);
  }
  for (const model of CPU_MODELS) {
    const map = opMap(model);
    for (const list of map.rows) {
      const seen = new Set<string>();
      for (const r of list) {
        const key = `${r.sel}|${r.tags & 0x180000}`;
        assert.ok(!seen.has(key), `${model}: two rows for ${r.opcode.toString(16)} ${r.sel}`);
        seen.add(key);
      }
    }
  }
});

test('LOCK: allowed on read-modify-write memory forms, #UD (lockFault) elsewhere from the 286 on', () => {
  assert.equal(dec('f00107').lockFault, false);      // lock add [bx],ax
  assert.equal(dec('f001c0').lockFault, true);       // lock add ax,ax: register destination
  assert.equal(dec('f08b07').lockFault, true);       // lock mov ax,[bx]
  assert.equal(dec('f0870f').lockFault, false);      // lock xchg cx,[bx]
  assert.equal(dec('f00fc70e').lockFault, false);    // lock cmpxchg8b [bp]
  assert.equal(dec('f03907').lockFault, true);       // lock cmp [bx],ax
  assert.equal(dec('f08b07', 16, '8086').lockFault, false);
  assert.equal(dec('0107').lockFault, false);
});

test('decodeRaw fills a reusable record with the same fields as decode', () => {
  const raw = new RawInstruction();
  const bytes = randomBytes(99, 4096);
  for (let off = 0; off < 4000; off++) {
    const fetch = (i: number) => bytes[off + i];
    decodeRaw(fetch, 32, 'later', raw);
    const d = decode(fetch, 32);
    assert.equal(raw.valid, d.valid);
    if (!d.valid) continue;
    assert.equal(raw.pos, d.length);
    assert.equal(raw.row, d.row);
    assert.equal(raw.modrm, d.modrm?.byte ?? -1);
    assert.equal(raw.disp, d.disp);
  }
});

test('flowOf: kinds, next and direct targets for stepping', () => {
  const at = (hex: string, ip: number, bits: 16 | 32 = 16) => flowOf(dec(hex, bits), ip);
  assert.deepEqual(at('e83b00', 0x7c00), { kind: 'call', next: 0x7c03, target: 0x7c3e });
  assert.deepEqual(at('f3a5', 0x7c10), { kind: 'rep', next: 0x7c12 });
  assert.deepEqual(at('a5', 0x7c10), { kind: 'none', next: 0x7c11 });
  assert.deepEqual(at('cd13', 0x7c20), { kind: 'int', next: 0x7c22 });
  assert.deepEqual(at('ea007c0000', 0x600), { kind: 'jmp', next: 0x605, farTarget: { selector: 0, offset: 0x7c00 } });
  assert.deepEqual(at('74fe', 0x7c00), { kind: 'jcc', next: 0x7c02, target: 0x7c00 });
  assert.deepEqual(at('e2fe', 0x7c00), { kind: 'loop', next: 0x7c02, target: 0x7c00 });
  assert.deepEqual(at('c3', 0x7c00), { kind: 'ret', next: 0x7c01 });
  assert.deepEqual(at('ffd0', 0x1000, 32), { kind: 'call', next: 0x1002 });
  assert.equal(at('c7c8', 0).kind, 'invalid');
});
