// One opcode table: the interpreter's dispatch is derived from the rows of emulator/decode, so every
// row a model decodes must name a handler exec/ defines, every handler must serve a row, every model
// patch must replace an entry some row of that model binds, and the rows of one opcode must share
// their handler (the interpreter dispatches on the opcode byte).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPU_MODELS, type CpuModel } from '../../emulator/cpu/cpu';
import { HANDLERS, MODEL_PATCHES, dispatchTable, reachableRows } from '../../emulator/cpu/dispatch';
import { type HandlerEntry, type Handlers, OP32, type Patch, undefinedOpcode } from '../../emulator/cpu/exec/table';
import { opMap } from '../../emulator/decode/opmap';
import { decodeTier, type OpRow } from '../../emulator/decode/table';

const MODELS: readonly CpuModel[] = CPU_MODELS;

/** The rows each model can decode, by map index. */
function rowsOf(model: CpuModel): OpRow[][] {
  const map = opMap(decodeTier(model));
  return map.rows.map((list) => reachableRows(list));
}

/** Every disagreement between rows, handlers and patches, as one line each. */
function problems(handlers: Handlers, patches: Record<CpuModel, readonly Patch[]>): string[] {
  const out: string[] = [];
  const named = new Set<string>();
  for (const model of MODELS) {
    const bound = new Set<HandlerEntry>();
    rowsOf(model).forEach((rows, i) => {
      for (const r of rows) {
        named.add(r.handler);
        const entry = handlers[r.handler];
        if (entry === undefined) out.push(`${model} ${i.toString(16)}: row ${r.mnemonic} ${r.operands} has no handler ${r.handler}`);
        else bound.add(entry);
      }
    });
    for (const [from] of patches[model].flat()) {
      if (!bound.has(from)) out.push(`${model}: a patch replaces an entry no row of the model binds`);
    }
  }
  for (const name of Object.keys(handlers)) if (!named.has(name)) out.push(`handler ${name} serves no row`);
  return [...new Set(out)];
}

test('every row has a handler, every handler a row, every patch an entry to patch', () => {
  assert.deepEqual(problems(HANDLERS, MODEL_PATCHES), []);
});

test('the check finds a row without a handler and a handler without a row', () => {
  const { neg_Ev: _, ...missing } = HANDLERS;
  const extra = { ...HANDLERS, frob_Ev_Gv: HANDLERS.add_Ev_Gv };
  assert.ok(problems(missing, MODEL_PATCHES).some((p) => p.includes('has no handler neg_Ev')));
  assert.deepEqual(problems(extra, MODEL_PATCHES), ['handler frob_Ev_Gv serves no row']);
  const nop = () => {};
  const stale = { ...MODEL_PATCHES, '80386': [[[nop, nop]]] satisfies Patch[] };
  assert.deepEqual(problems(HANDLERS, stale), ['80386: a patch replaces an entry no row of the model binds']);
});

test('each model dispatches exactly the opcodes its rows define', () => {
  for (const model of MODELS) {
    const ops = dispatchTable(model);
    const rows = rowsOf(model);
    const escape0F = model !== '8086';
    const patch = new Map(MODEL_PATCHES[model].flat());
    for (let i = 0; i < 0x200; i++) {
      const ud = ops[i] === undefinedOpcode && ops[i | OP32] === undefinedOpcode;
      // Rows whose handler is #UD on this core (MOV TRn, RDPMC, group 9 on the 80386 ...) name
      // undefinedOpcode, or a model patch makes it so.
      const executed = rows[i].some((r) => (patch.get(HANDLERS[r.handler]) ?? HANDLERS[r.handler]) !== undefinedOpcode) || (i === 0x0f && escape0F);
      assert.equal(!ud, executed, `${model} opcode ${i.toString(16)}: ${rows[i].map((r) => r.mnemonic).join(' ') || 'no row'}`);
    }
  }
});

test('the 8086 aliases run the very handlers of the opcodes they alias', () => {
  const ops = dispatchTable('8086');
  for (let op = 0x60; op < 0x70; op++) assert.equal(ops[op], ops[op + 0x10]);
  for (const [alias, of] of [[0xc0, 0xc2], [0xc1, 0xc3], [0xc8, 0xca], [0xc9, 0xcb], [0xf1, 0xf0]]) assert.equal(ops[alias], ops[of]);
  // '+r' rows bind one handler per register; a model patch can replace one of them (PUSH SP).
  assert.notEqual(ops[0x54], dispatchTable('80286')[0x54]);
  assert.equal(ops[0x53], dispatchTable('80286')[0x53]);
});
