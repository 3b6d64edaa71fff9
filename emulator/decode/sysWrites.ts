// The system state an instruction form may change when it completes, beside its EFLAGS (eflags.ts):
// the table's sysWritten column, which the debugger's watches select dispatch entries by
// (emulator/debug/opWatch.ts). By handler name; an interrupt's delivery is not the form's (INT n
// loads CS through the gate: the CPU reports it through onInterrupt). Pure data: no Node or VS Code
// imports. SDM Vol. 3 §2.4 (system registers), §2.5 (control registers), §7.3 (task switching).

/** A segment register: MOV/POP Sreg, LxS, and the far transfers that load CS (a task switch all). */
export const SYS_SEG = 1 << 0;
/** A control register: MOV CRn, LMSW, CLTS. */
export const SYS_CR = 1 << 1;
/** A debug register: MOV DRn. */
export const SYS_DR = 1 << 2;
/** GDTR, IDTR, LDTR or TR from its operand: LGDT, LIDT, LLDT, LTR. */
export const SYS_TABLE = 1 << 3;
/** A model-specific register: WRMSR. */
export const SYS_MSR = 1 << 4;
/** The halt state: HLT. */
export const SYS_HALT = 1 << 5;

const WRITES: Record<string, number> = {
  pop_ES: SYS_SEG, pop_CS: SYS_SEG, pop_SS: SYS_SEG, pop_DS: SYS_SEG, pop_FS: SYS_SEG, pop_GS: SYS_SEG,
  mov_Sw_Ew: SYS_SEG, les_Gv_Mp: SYS_SEG, lds_Gv_Mp: SYS_SEG, lss_Gv_Mp: SYS_SEG, lfs_Gv_Mp: SYS_SEG,
  lgs_Gv_Mp: SYS_SEG,
  call_Ap: SYS_SEG, call_Mp: SYS_SEG, jmp_Ap: SYS_SEG, jmp_Mp: SYS_SEG, retf: SYS_SEG, retf_Iw: SYS_SEG,
  iret: SYS_SEG, sysenter: SYS_SEG, sysexit: SYS_SEG, rsm: SYS_SEG | SYS_CR,
  mov_Cd_Rd: SYS_CR, lmsw_Ew: SYS_CR, clts: SYS_CR, mov_Dd_Rd: SYS_DR,
  lgdt_Ms: SYS_TABLE, lidt_Ms: SYS_TABLE, lldt_Ew: SYS_TABLE, ltr_Ew: SYS_TABLE,
  wrmsr: SYS_MSR, hlt: SYS_HALT,
};

/** The SYS_* bits of what a form (by handler name) may change. */
export function sysWritesOf(handler: string): number {
  return WRITES[handler] ?? 0;
}
