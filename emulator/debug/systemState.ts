// The instructions after which segment or system state may have changed: what the CPU mode and a VM-entry verdict
// depend on (segment selectors and caches, LDTR/TR, CR0/CR3/CR4, the system bits of EFLAGS, GDTR/IDTR, DR7, EFER,
// the interrupt shadow, HLT). Watching only these entries of the dispatch table — plus interrupt delivery, which the
// caller sees through cpu.onInterrupt — lets a debugger follow that state without a hook on every instruction.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §26.3 (what the guest-state checks read).

import type { Cpu, CpuModel } from '../cpu/cpu';
import { MAP0F, OP32 } from '../cpu/exec/table';
import { EFLAGS_DF, EFLAGS_IF, EFLAGS_IOPL, EFLAGS_VM } from '../cpu/regs';
import { TRAP_OPCODE } from '../bios/layout';
import { T_INT, type OpRow } from '../decode/table';
import { entriesWhere, watchOps } from './opWatch';

/** The EFLAGS bits the state sample reads (DF included: the sample keeps it). */
const SYSTEM_FLAGS = EFLAGS_IF | EFLAGS_DF | EFLAGS_IOPL | EFLAGS_VM;

/** Forms that may change that state by themselves (an INT's delivery is seen through onInterrupt). */
export function changesSystemState(row: OpRow): boolean {
  return row.sysWritten !== 0 || ((row.flagsWritten & SYSTEM_FLAGS) !== 0 && (row.tags & T_INT) === 0);
}

/** The BIOS trap (0F 37 nn), no row: its services may return segment registers. On the 8086 it is behind POP CS. */
function trapOps(model: CpuModel): number[] {
  const trap = MAP0F | TRAP_OPCODE[1];
  return model === '8086' ? [] : [trap, trap | OP32];
}

/** Indexes into cpu.ops (16- and 32-bit operand size halves) of the instructions that may change system state. */
export function systemStateOps(model: CpuModel): number[] {
  return [...entriesWhere(model, changesSystemState).map((e) => e.index), ...trapOps(model)];
}

export interface SystemStateHooks {
  /** Before the instruction runs. */
  before?: (cpu: Cpu) => void;
  /** After it completed (not when it faulted: the fault's delivery is an interrupt). */
  after: (cpu: Cpu, prevEip: number) => void;
}

/** Wraps those dispatch entries; the returned function puts the entries it replaced back. */
export function watchSystemState(cpu: Cpu, hooks: SystemStateHooks): () => void {
  const { before, after } = hooks;
  return watchOps(cpu, changesSystemState, (h) => (c) => {
    before?.(c);
    const at = c.prevEip;
    h(c);
    after(c, at);
  }, trapOps(cpu.model));
}
