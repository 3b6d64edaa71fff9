// Prefixes and the 0F escape: handlers that update the decode state and dispatch the next byte.
// SDM Vol. 2 §2.1.1 (instruction prefixes), "LOCK". Pure TypeScript: no Node or VS Code imports.

import { decode } from '../../decode/decoder';
import { decodeTier } from '../../decode/table';
import type { Cpu, Handler } from '../cpu';
import { UD_OPCODE } from '../faultRules';
import { CS, DS, ES, FS, GS, SS } from '../regs';
import { type Handlers, MAP0F, type Patch } from './table';

/**
 * Dispatches the byte after a prefix. The outermost prefix of an instruction restores the decode
 * state afterwards (also when it faults), so unprefixed instructions never pay for resetting it.
 * Only prefixed instructions can exceed the length limit (80286: 10 bytes, 80386: 15 bytes):
 * from the first prefix on, fetches past prevEip + limit - 1 raise #GP(0).
 */
function dispatchNext(cpu: Cpu): void {
  if (cpu.prefixes++ !== 0) {
    const op = cpu.fetch8();
    cpu.ops[op | (cpu.o32 << 9)](cpu);
    return;
  }
  if (cpu.traits.maxInsnLength > 0) {
    cpu.fetchLimit = Math.min(cpu.fetchLimit, cpu.prevEip + cpu.traits.maxInsnLength - 1);
    cpu.clampFetchWindow();
  }
  try {
    const op = cpu.fetch8();
    cpu.ops[op | (cpu.o32 << 9)](cpu);
  } finally {
    cpu.resetDecodeState();
  }
}

function segPrefix(seg: number): Handler {
  return (cpu) => {
    cpu.segOvr = seg;
    dispatchNext(cpu);
  };
}

/**
 * LOCK on the 80386: the shared decoder (emulator/decode) says whether the form takes LOCK; a form
 * that does not, or a register destination, is #UD (SDM Vol. 2 "LOCK"). Decoding here, on the
 * prefix path only, keeps one source of truth for lockable forms at no cost to unprefixed code.
 */
const prefix_LOCK: Handler = (cpu) => {
  const start = (cpu.base[CS] + cpu.prevEip) >>> 0;
  const insn = decode((i) => cpu.readLin8((start + i) | 0), cpu.code32 ? 32 : 16, decodeTier(cpu.model));
  if (insn.lockFault) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  dispatchNext(cpu);
};

/** 0F: the two-byte map (the 8086 has POP CS there instead: a row of its own). */
export const escape0F: Handler = (cpu) => {
  const op = cpu.fetch8();
  cpu.ops[MAP0F | op | (cpu.o32 << 9)](cpu);
};

export const PREFIX: Handlers = {
  prefix_ES: segPrefix(ES),
  prefix_CS: segPrefix(CS),
  prefix_SS: segPrefix(SS),
  prefix_DS: segPrefix(DS),
  prefix_FS: segPrefix(FS),
  prefix_GS: segPrefix(GS),
  prefix_OS: (cpu) => { cpu.o32 = cpu.code32 ^ 1; dispatchNext(cpu); },
  prefix_AS: (cpu) => { cpu.a32 = cpu.code32 ^ 1; dispatchNext(cpu); },
  prefix_LOCK,
  prefix_REPNE: (cpu) => { cpu.rep = 1; dispatchNext(cpu); },
  prefix_REP: (cpu) => { cpu.rep = 2; dispatchNext(cpu); },
};

/** The 80286 and 8086 ignore LOCK on any instruction (the 80286 vectors include `lock leave`). */
export const PREFIX_80286: Patch = [[prefix_LOCK, dispatchNext]];
