// The instructions after which segment or system state may have changed: what the CPU mode and a VM-entry verdict
// depend on (segment selectors and caches, LDTR/TR, CR0/CR3/CR4, the system bits of EFLAGS, GDTR/IDTR, DR7, EFER,
// the interrupt shadow, HLT). Watching only these entries of the dispatch table — plus interrupt delivery, which the
// caller sees through cpu.onInterrupt — lets a debugger follow that state without a hook on every instruction.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §26.3 (what the guest-state checks read).

import type { Cpu, CpuModel, Handler } from '../cpu/cpu';

const MAP0F = 0x100;
/** Segment loads, far transfers, IRET, POPF, HLT, CLI/STI, CLD/STD (EFLAGS.DF is kept by the sample), FF /3 /5. */
const ONE_BYTE = [0x07, 0x17, 0x1f, 0x8e, 0x9a, 0x9d, 0xc4, 0xc5, 0xca, 0xcb, 0xcf, 0xea, 0xf4, 0xfa, 0xfb, 0xfc, 0xfd, 0xff];
/** LLDT/LTR, LGDT/LIDT/LMSW, CLTS, MOV CRn/DRn, WRMSR, the BIOS trap (services may return segment registers), POP FS/GS, LSS/LFS/LGS. */
const TWO_BYTE = [0x00, 0x01, 0x06, 0x22, 0x23, 0x30, 0x37, 0xa1, 0xa9, 0xb2, 0xb4, 0xb5];
/** The 8086's POP CS (0F; the BIOS trap hides behind it there) and its RETF aliases C8/C9. */
const ONLY_8086 = [0x0f, 0xc8, 0xc9];

/** Indexes into cpu.ops (16- and 32-bit operand size halves) of the instructions that may change system state. */
export function systemStateOps(model: CpuModel): number[] {
  const bases = model === '8086' ? [...ONE_BYTE, ...ONLY_8086] : [...ONE_BYTE, ...TWO_BYTE.map((op) => MAP0F | op)];
  return bases.flatMap((b) => [b, b | 0x200]);
}

export interface SystemStateHooks {
  /** Before the instruction runs. */
  before?: (cpu: Cpu) => void;
  /** After it completed (not when it faulted: the fault's delivery is an interrupt). */
  after: (cpu: Cpu, prevEip: number) => void;
}

/** Wraps those dispatch entries; the returned function puts the entries it replaced back. */
export function watchSystemState(cpu: Cpu, hooks: SystemStateHooks): () => void {
  const saved = new Map<number, Handler>();
  const { before, after } = hooks;
  for (const idx of systemStateOps(cpu.model)) {
    const h = cpu.ops[idx];
    saved.set(idx, h);
    cpu.ops[idx] = before
      ? (c) => {
        before(c);
        const at = c.prevEip;
        h(c);
        after(c, at);
      }
      : (c) => {
        const at = c.prevEip;
        h(c);
        after(c, at);
      };
  }
  cpu.opsChanged();
  return () => {
    for (const [idx, h] of saved) cpu.ops[idx] = h;
    cpu.opsChanged();
  };
}
