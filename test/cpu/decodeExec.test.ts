// One decoder, one truth: for seeded random byte streams, what the execution engine does must
// agree with the shared decoder (emulator/decode) that the disassembler uses — an instruction
// that completes without transferring control advances EIP by exactly the decoded length, and
// the engine raises #UD exactly where the decoder says the bytes are not an instruction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu, CPU_MODELS } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { stepSlow } from '../../emulator/cpu/execute';
import { CS, DS, ES, SS } from '../../emulator/cpu/regs';
import { decode } from '../../emulator/decode/decoder';
import { flowOf } from '../../emulator/decode/flow';
import { decodeTier } from '../../emulator/decode/table';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

const CODE = 0x20000; // CS = 0x2000, IP = 0x0100

for (const model of CPU_MODELS) {
  test(`${model}: execution and the shared decoder agree on length and #UD (real mode, 20,000 random streams)`, () => {
    const mem = new Memory({ ramSize: 0x200000 });
    const cpu = new Cpu(model, MODEL_TRAITS[model], mem, new IoBus());
    const next = rng(0xb007 + model.length);
    let checkedLength = 0, checkedUd = 0;
    const problems: string[] = [];
    for (let t = 0; t < 20000; t++) {
      cpu.reset();
      installModel(cpu);
      for (const s of [CS, DS, ES, SS]) cpu.setCache(s, 0x2000, CODE, 0xffff, s === CS ? 0x9b : 0x93);
      cpu.eip = 0x100;
      cpu.r16[4 * 2] = 0x8000; // SP well inside the segment
      for (let r = 0; r < 8; r++) if (r !== 4) cpu.r16[r * 2] = next() & 0x7fff;
      // IVT entries point at a HLT so exceptions land somewhere harmless.
      for (let v = 0; v < 32; v++) { mem.ram[v * 4] = 0; mem.ram[v * 4 + 1] = 0x10; mem.ram[v * 4 + 2] = 0; mem.ram[v * 4 + 3] = 0; }
      mem.ram[0x1000] = 0xf4;
      const bytes: number[] = [];
      for (let i = 0; i < 16; i++) bytes.push(next() & 0xff);
      mem.ram.set(bytes, CODE + 0x100);
      const insn = decode((i) => bytes[i] ?? 0, 16, decodeTier(model));
      cpu.repEnd = cpu.icount + 1;
      stepSlow(cpu);
      const faulted = cpu.lastException >= 0;
      const hex = bytes.slice(0, Math.max(insn.length, 1)).map((b) => b.toString(16).padStart(2, '0')).join(' ');
      const op = insn.opcode;
      // Not comparable, each for a stated reason: x87 escapes are never #UD on a CPU without an FPU
      // (the decoder marks undefined x87 encodings for the listing); instructions that exist only in
      // protected mode are #UD in real mode whatever their encoding (ARPL, 0F 00, LAR, LSL).
      const x87 = op >= 0xd8 && op <= 0xdf;
      const pmOnly = op === 0x63 || op === 0x0f00 || op === 0x0f02 || op === 0x0f03;
      // Forms the decoder lists (as ndisasm does) that the cores report as #UD: RDPMC, RSM (only
      // valid in SMM), SYSENTER/SYSEXIT, MOV TRn; and MOV to/from CR1, CR5-CR7, which hardware rejects.
      const p6 = op === 0x0f33 || op === 0x0faa || op === 0x0f34 || op === 0x0f35 || op === 0x0f24 || op === 0x0f26;
      const badCr = (op === 0x0f20 || op === 0x0f22) && [1, 5, 6, 7].includes(insn.modrm?.reg ?? -1);
      if (model !== '8086' && !x87 && !pmOnly && !p6 && !badCr) {
        const ud = cpu.lastException === 6;
        // The 80286 ignores LOCK everywhere (its vectors include `lock leave`); the 80386 on faults.
        const decoderUd = !insn.valid || (insn.lockFault && model !== '80286');
        if (ud !== decoderUd) problems.push(`${hex}: exec ${ud ? '#UD' : 'no #UD'}, decoder ${decoderUd ? 'invalid' : insn.mnemonic}`);
        if (ud) checkedUd++;
      }
      const flow = insn.valid ? flowOf(insn, 0x100).kind : 'invalid';
      if (!faulted && insn.valid && (flow === 'none' || flow === 'rep') && cpu.sel[CS] === 0x2000) {
        const moved = cpu.eip - 0x100;
        // A REP string instruction that yields after one iteration rewinds to its first byte.
        if (moved !== insn.length && !(flow === 'rep' && moved === 0)) problems.push(`${hex}: exec length ${moved}, decoder ${insn.length} (${insn.mnemonic})`);
        checkedLength++;
      }
      if (problems.length > 20) break;
    }
    assert.deepEqual(problems, []);
    assert.ok(checkedLength > 5000, `only ${checkedLength} lengths compared`);
    if (model !== '8086') assert.ok(checkedUd > 100, `only ${checkedUd} #UD cases compared`);
  });
}
