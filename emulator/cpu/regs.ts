// Register numbering as the SDM encodes it in ModRM/opcode fields, and EFLAGS/CR bit names.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §3.4, Vol. 3 §2.5.

// General registers (ModRM.reg encoding).
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

// Segment registers (ModRM.reg encoding of MOV Sw), then the system segments kept in the same arrays.
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, LDTR = 6, TR = 7;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'] as const;

// EFLAGS bits (SDM Vol. 1 §3.4.3).
export const EFLAGS_CF = 1 << 0;
export const EFLAGS_FIXED1 = 1 << 1;
export const EFLAGS_PF = 1 << 2;
export const EFLAGS_AF = 1 << 4;
export const EFLAGS_ZF = 1 << 6;
export const EFLAGS_SF = 1 << 7;
export const EFLAGS_TF = 1 << 8;
export const EFLAGS_IF = 1 << 9;
export const EFLAGS_DF = 1 << 10;
export const EFLAGS_OF = 1 << 11;
export const EFLAGS_IOPL = 3 << 12;
export const EFLAGS_NT = 1 << 14;
export const EFLAGS_RF = 1 << 16;
export const EFLAGS_VM = 1 << 17;
export const EFLAGS_AC = 1 << 18;
export const EFLAGS_ID = 1 << 21;
/** The six arithmetic status flags. */
export const EFLAGS_STATUS = EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF;

// CR0 bits (SDM Vol. 3 §2.5).
export const CR0_PE = 1 << 0;
export const CR0_MP = 1 << 1;
export const CR0_EM = 1 << 2;
export const CR0_TS = 1 << 3;
export const CR0_ET = 1 << 4;
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR0_AM = 1 << 18;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;

// CR4 bits used by a 386-class CPU with the later boot-relevant extensions.
export const CR4_VME = 1 << 0;
export const CR4_PVI = 1 << 1;
export const CR4_TSD = 1 << 2;
export const CR4_DE = 1 << 3;
export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_PGE = 1 << 7;
/** The OS saves the SSE state with FXSAVE; on a CPU with FXSAVE but no SSE, only a bit to hold. */
export const CR4_OSFXSR = 1 << 9;

/** Segment access rights in VMCS layout (SDM Vol. 3 §25.4.1, Table 25-2): what the CLI and VMX views show. */
export const AR_TYPE_MASK = 0x0f;
export const AR_S = 1 << 4;
export const AR_DPL_SHIFT = 5;
export const AR_P = 1 << 7;
export const AR_AVL = 1 << 12;
export const AR_L = 1 << 13;
export const AR_DB = 1 << 14;
export const AR_G = 1 << 15;
export const AR_UNUSABLE = 1 << 16;
