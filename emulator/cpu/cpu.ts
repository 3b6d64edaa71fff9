// The architectural state of one x86 CPU (8086 to 80386) and its memory, stack and fetch
// accessors. Segment registers keep their hidden descriptor cache (base, limit, access rights) in
// every mode, so unreal mode behaves as on hardware. Instruction semantics live in exec/, mode
// rules in segmentation.ts and interrupts.ts; model differences are patched into `ops` by dispatch.ts.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §3.4 (segments), §2.5 (control registers).

import { CPU_MODEL_NAMES, type CpuModelName } from '../../protocol/launchConfig';
import type { Memory } from '../memory/bus';
import type { IoBus } from '../devices/ioBus';
import { PF_MMIO, PF_WATCH_R } from '../memory/pageFlags';
import { FAULT } from './faults';
import { AC_ALIGN, FETCH_LIMIT, type FaultRule, SEG_ACCESS, SEG_ACCESS_SS, UD_OPCODE } from './faultRules';
import type { FaultCause, FaultLink } from './faultChain';
import type { FarTransfers } from './exec/control';
import type { BreakpointSet } from './execute';
import { SegmentLoadMemo } from './protected/loadMemo';
import type { Tlb } from './protected/paging';
import type { X87 } from './fpu/x87';
import type { PmModel } from './protected/common';
import { type FlagState, materialize } from './flags';
import { AR_DB, AR_G, AR_P, AR_S, CR0_AM, CR0_PE, CR0_PG, CS, EDX, EFLAGS_AC, EFLAGS_FIXED1, EFLAGS_IF, EFLAGS_TF, EFLAGS_VM, ESP, SS } from './regs';

export type CpuModel = CpuModelName;
export const CPU_MODELS: readonly CpuModel[] = CPU_MODEL_NAMES;

/**
 * A hook that protected/install.ts replaces on the 80286 and 80386. The 8086 cannot set CR0.PE,
 * and every caller checks it (or is an instruction the 8086 lacks), so running one is our bug.
 */
function protectedOnly(hook: string): () => never {
  return () => {
    throw new Error(`internal error: cpu.${hook} ran on a CPU without protected mode`);
  };
}

const NO_PROTECTED_MODE: FarTransfers = {
  jmpFar: protectedOnly('farPm.jmpFar'),
  callFar: protectedOnly('farPm.callFar'),
  retFar: protectedOnly('farPm.retFar'),
  iret: protectedOnly('farPm.iret'),
};

/** A handler executes one instruction whose opcode byte has been fetched. */
export type Handler = (cpu: Cpu) => void;

/**
 * A debugger's wrapper around a dispatch entry that watches only some ModRM forms (the call stack's
 * FF entry watches CALL /2 and /3): the other forms run `inner` unchanged, so the block compiler may
 * treat them as `inner`.
 */
export interface FormWatcher extends Handler {
  inner: Handler;
  watches(modrm: number): boolean;
}

export function isFormWatcher(h: Handler): h is FormWatcher {
  return typeof (h as Partial<FormWatcher>).watches === 'function';
}

/**
 * A debugger's wrapper that looks only after its entry ran (the shadow call stack's near CALL and
 * RET): `inner`, then `after`, which reads the state the instruction left. A compiled block may run
 * a transfer's native code in place of `inner` and then call `after` (a fixed call target).
 */
export interface AfterWatcher extends Handler {
  inner: Handler;
  after: Handler;
}

export function isAfterWatcher(h: Handler): h is AfterWatcher {
  return typeof (h as Partial<AfterWatcher>).after === 'function';
}

/** The linear accesses the CPU makes as CPL 0 (descriptor tables, TSS): Cpu.*Sys. */
const enum SysOp { Read16, Read32, Write8, Write16, Write32 }

/** Bits of `segOk`: what an access through a segment register may do without a fault. */
export const SEG_R = 1, SEG_W = 2;

/** Attention bits: any set bit sends the burst loop to its slow path before the next instruction. */
export const ATTN_IRQ = 1 << 0;
export const ATTN_TRAP = 1 << 1;
export const ATTN_STOP = 1 << 2;
export const ATTN_SHADOW = 1 << 5;
/** CR0.PE/PG or EFLAGS.VM changed: the loops re-check what depends on the mode (blocks need paging off); runCpu clears it. */
export const ATTN_MODE = 1 << 8;
/** Compiled code went stale (a store into its bytes, a remap): a running block returns (runCpu clears it). */
export const ATTN_CODE = 1 << 9;
/** CS's selector or base changed while csWatch is set: runCpu re-arms the CS:IP breakpoints (execute.ts BreakpointSet). */
export const ATTN_CSIP = 1 << 10;

/** The compiled-block cache as the CPU loop sees it (cpu/jit/blocks.ts). */
export interface CompiledCode {
  codeWritten(addr: number, length: number): void;
  runBurst(cpu: Cpu, end: number, bps: BreakpointSet | null): void;
  useBreakpoints(bps: BreakpointSet | null): void;
  flush(): void;
}

/** 8-bit register r (AL,CL,DL,BL,AH,CH,DH,BH) as an index into the byte view of the register file. */
export const R8 = new Uint8Array([0, 4, 8, 12, 1, 5, 9, 13]);

export interface ModelTraits {
  /** FLAGS bits that read as 1 whatever was written (8086: bits 12-15). */
  flagsFixed1: number;
  /** FLAGS bits that POPF/IRET can change in real mode. */
  flagsWritable: number;
  /** Physical address lines: 20 (8086), 24 (80286), 32 (80386). */
  addressMask: number;
  /** 8086: IP wraps at 64 KiB and words wrap inside a segment instead of faulting. */
  wrapSegments: boolean;
  /** 80286: any real-mode segment overrun (stack included) is #GP (interrupt 13), not #SS. */
  realOverrunIsGp: boolean;
  /** Longest instruction in bytes (80286: 10, 80386: 15); longer ones are #GP(0). 0 = no limit (8086). */
  maxInsnLength: number;
  /** 80286: a string instruction that faults on a word at offset 0xFFFF has already stepped SI/DI (seen in the 80286 vectors). */
  stringFaultAdvances: boolean;
  /** 8086: #DE is pushed with the address of the next instruction, like a trap. */
  divideErrorIsTrap: boolean;
  /**
   * CR0 bits the model implements, bits that always read as one, CR0 as the BIOS leaves it at
   * 0000:7C00, and CR0 at power-on (SDM Vol. 3 §9.1.1 Table 9-1: the 486 and later with CD and NW set).
   */
  cr0Writable: number;
  cr0Fixed1: number;
  cr0Boot: number;
  cr0PowerOn: number;
  /** CR4 bits MOV CR4 may set (others are #GP(0)); the models without CR4 never decode MOV CR4. */
  cr4Writable: number;
  /** 386 paging (CR0.PG, CR3, INVLPG where decoded). */
  paging: boolean;
  /** The 386's undefined shift flags (AF set, an 8-bit count of 16 or 24 acting as 8; exec/shift.ts shift386). */
  shift386: boolean;
  /** 486+: #AC for a misaligned access at CPL 3 with CR0.AM and EFLAGS.AC set (SDM Vol. 3 §6.15 Interrupt 17). */
  alignmentCheck: boolean;
  /** Protected mode's per-model facts (protected/common.ts PM_286, PM_386); null: none (the 8086). */
  pm: PmModel | null;
  /** SGDT/SIDT with a 16-bit operand: the 80286 stores 0xFF as the base's top byte. */
  sgdtHighByte: number;
  /** CPUID leaf 1's EAX (family, model, stepping) and EDX features without FPU (bit 0 follows the machine's x87); null: no CPUID. */
  cpuid: { signature: number; features: number } | null;
  /** The MSRs RDMSR/WRMSR reach, with their reset values; any other index is #GP(0). */
  msrs: readonly (readonly [number, bigint])[];
}

export class Cpu implements FlagState {
  readonly model: CpuModel;
  readonly traits: ModelTraits;
  readonly mem: Memory;
  readonly io: IoBus;
  /** Opcode dispatch: index = opcode | 0x100 for 0F xx | 0x200 when the operand size is 32 bits. */
  ops: Handler[] = [];
  /**
   * The 80386 entries `ops` started from: where an entry is still one of these, the block compiler
   * may emit its semantics inline; a model patch or a debugger's wrapper makes it call the entry.
   */
  baseOps: readonly Handler[] = [];
  /** Compiled blocks (cpu/jit), or null to interpret every instruction. */
  jit: CompiledCode | null = null;
  /** The x87 (cpu/fpu), or null: no FPU, the escapes do nothing (exec/system.ts). */
  fpu: X87 | null = null;
  /** FERR#: an unmasked x87 exception with CR0.NE = 0 (the PC wires it to IRQ13). */
  ferr: () => void = () => {};

  // General registers as three views of one buffer (EAX..EDI order as ModRM encodes them).
  readonly r32: Uint32Array;
  readonly r16: Uint16Array;
  readonly r8: Uint8Array;
  eip = 0;
  /** EIP of the first byte (prefixes included) of the instruction being executed: faults restart here. */
  prevEip = 0;

  // FlagState (see flags.ts).
  flags = EFLAGS_FIXED1;
  lazy = 0;
  lzOp = 0;
  lzDst = 0;
  lzSrc = 0;
  lzRes = 0;
  lzMask = 0xff;

  // Segment registers ES CS SS DS FS GS LDTR TR: selector and hidden descriptor cache.
  readonly sel = new Uint16Array(8);
  readonly base = new Uint32Array(8);
  readonly limit = new Uint32Array(8);
  /** Access rights in VMCS layout (regs.ts AR_*), bit 16 = unusable. */
  readonly ar = new Uint32Array(8);
  /** Lowest and highest valid offset (expand-down segments have lo > 0). */
  readonly lo = new Uint32Array(8);
  readonly hi = new Uint32Array(8);
  /**
   * What each segment allows (SEG_R, SEG_W) on the fast paths: the accessors, the string
   * instructions' RAM runs and compiled blocks. While alignment checking is on it is 0 for every
   * segment, so each access takes the checked path (checkData), which reads `segAccess`.
   */
  readonly segOk = new Uint8Array(8);
  /** What each segment allows, always. */
  readonly segAccess = new Uint8Array(8);
  /**
   * The highest offset a read (write) through each segment register reaches on compiled blocks' fast path, from
   * lo/hi/segOk: hi capped at 7FFFFFFFh, -1 where segOk refuses it or lo is not 0 (an expand-down segment: its
   * accesses take the blocks' slow path, so theirs need not test a lowest offset). Int32, kept with segOk, so a
   * block reads each in one load (V8 compares Uint32Array values with offsets as doubles).
   */
  readonly fastReadHi = new Int32Array(8);
  readonly fastWriteHi = new Int32Array(8);
  /** Alignment checking is on (refreshAlignment): CR0.AM, EFLAGS.AC and CPL 3 on a model that has it. */
  alignCheck = false;

  cr0 = 0;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Uint32Array(8);
  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;
  cpl = 0;
  /** The last descriptor load of each segment register (protected/loadMemo.ts). */
  readonly loadMemo: SegmentLoadMemo;
  /** Model-specific registers that boot code touches (RDMSR/WRMSR), keyed by ECX. */
  readonly msr = new Map<number, bigint>();
  tscOffset = 0n;
  /** The TSC counts 2^tscShift per instruction (QEMU's -icount rule: its virtual nanoseconds). */
  tscShift = 0n;
  /**
   * QEMU's -icount rule for a REP string instruction whose count runs out (not one a REPE/REPNE
   * condition ends): QEMU runs it once more with the count 0 to leave it, an instruction of time
   * with no effect (lockstep.ts drops its record as a REP end). When set, each such REP adds one to
   * extraTime.
   */
  repEndPass = false;
  /**
   * Instructions of time no instruction here ran, which the TSC and the devices' clock count beside
   * icount: QEMU's REP-end passes (repEndPass) and time a comparison lets pass (Machine.passTime).
   */
  extraTime = 0;
  /** Instructions of time: icount and extraTime. */
  get timeCount(): number {
    return this.icount + this.extraTime;
  }
  /**
   * Changes the model's CPUID answer for `leaf` (in r32's EAX, EBX, ECX, EDX) to another machine's;
   * `answer` writes the model's answer for any leaf there. A lock-step comparison with QEMU gives the
   * firmware QEMU's answers (host/qemu.ts).
   */
  cpuidQuirks: ((leaf: number, r32: Uint32Array, answer: (leaf: number) => void) => void) | null = null;

  // Per-instruction decode state, reset by step().
  o32 = 0;
  a32 = 0;
  /** Segment override prefix, or -1. */
  segOvr = -1;
  /** 0 none, 1 REPNE/REPNZ (F2), 2 REP/REPE (F3). */
  rep = 0;
  prefixes = 0;
  /** Segment and offset of the last decoded memory operand. */
  eaSeg = 0;
  eaOff = 0;

  // Mode, cached from CR0/EFLAGS/CS so accessors need no decoding.
  /** CS.D: the default operand and address size is 32 bits. */
  code32 = 0;
  /** 0xffff when SS.B = 0, else 0xffffffff: which part of ESP the stack uses. */
  stackMask = 0xffff;
  /** EIP value that wraps to 0 during fetch: 0x10000 on the 8086, never (-1) otherwise (the CS limit check catches overflow). */
  ipWrapAt = -1;
  paging = false;

  /** Per-model behaviour patched in by dispatch.ts (see ModelTraits for data-only differences). */
  shiftMask = 0x1f;
  shiftOp: (cpu: Cpu, op: number, v: number, count: number, mask: number) => number = () => 0;
  /** Most negative IDIV quotient that does not fault (the 8086 faults on -128 / -32768). */
  idivMin8 = -128;
  idivMin16 = -32768;
  /** Set by the machine when the PIC has an unmasked request; the loop delivers it when IF allows. */
  irqPending = false;
  /** Supplies the vector of the pending hardware interrupt (PIC acknowledge cycle). */
  acknowledgeIrq: () => number = () => 8;

  /** Protected-mode far JMP/CALL/RET/IRET (protected/farTransfer.ts). */
  farPm: FarTransfers = NO_PROTECTED_MODE;
  /** LLDT/LTR (protected/tables.ts). */
  loadLdtr: (cpu: Cpu, sel: number) => void = protectedOnly('loadLdtr');
  loadTr: (cpu: Cpu, sel: number) => void = protectedOnly('loadTr');
  /** The TSS I/O permission bitmap check when CPL > IOPL or in vm86 (protected/ioBitmap.ts). */
  ioBitmapCheck: (cpu: Cpu, port: number, size: number) => void = protectedOnly('ioBitmapCheck');
  /** The TLB (protected/paging.ts tlbOf), made on first use. */
  tlb: Tlb | null = null;
  /** TLB maintenance for paging.ts: MOV CR3/CR0/CR4 flush, INVLPG drops one page. */
  tlbFlush: (cpu: Cpu) => void = (cpu) => cpu.flushFetch();
  tlbInvalidate: (cpu: Cpu, lin: number) => void = (cpu) => cpu.flushFetch();
  /** Model hooks patched by dispatch.ts: the value PUSH SP stores, FF /7, FF /3 and /5 with a register operand. */
  pushSpValue: (cpu: Cpu) => number = (cpu) => cpu.r16[ESP * 2];
  ffSlot7: (cpu: Cpu, modrm: number, size32: boolean) => void = (cpu) => cpu.faultRule(UD_OPCODE, -1, -1, 0);
  farRegisterForm: (cpu: Cpu, modrm: number) => void = (cpu) => cpu.faultRule(UD_OPCODE, -1, -1, 0);

  /** Protected-mode and vm86 interrupt delivery through the IDT (protected/interrupts.ts). */
  pmInterrupt: (cpu: Cpu, vector: number, kind: number, errorCode: number) => void = protectedOnly('pmInterrupt');
  /** The pending fault is a trap (8086 #DE): EIP already points past the instruction. */
  faultIsTrap = false;
  /** Debugger hook (emulator/debug): called before any interrupt or exception is delivered; null costs nothing. */
  onInterrupt: ((cpu: Cpu, vector: number, kind: number) => void) | null = null;
  /** Vector whose delivery is under way (interrupts.ts), -1 otherwise: a fault then is a delivery fault. */
  delivering = -1;
  /** Vector of the most recent exception delivered, -1 when none (for stop reasons). */
  lastException = -1;
  /**
   * The events of the last exception delivery that faulted (faultChain.ts): first the original
   * event, last the one delivered or, after a triple fault, the #DF that could not be. Empty when
   * the last exception was delivered at once.
   */
  faultChain: readonly FaultLink[] = [];
  /** Why the last exception was raised, when the instruction's raise site names a rule (faultChain.ts). */
  faultCause: FaultCause | null = null;
  /** Triple fault: the CPU has shut down until reset. */
  shutdown = false;

  icount = 0;
  attn = 0;
  halted = false;
  /** The STI/MOV SS interrupt shadow lasts while icount is at most this: through the next instruction. */
  shadowUntil = -1;
  /** The icount of a MOV SS or POP SS, after which the single-step trap waits for the next instruction. */
  trapHeldAt = -1;
  /**
   * Instruction count a REP string instruction may reach in this slice before it yields (each
   * iteration counts as one instruction); read on every iteration, so a watchpoint hit can lower it.
   */
  repEnd = 0x7fffffff;

  constructor(model: CpuModel, traits: ModelTraits, mem: Memory, io: IoBus) {
    this.model = model;
    this.traits = traits;
    this.mem = mem;
    this.io = io;
    this.ram = mem.ram;
    this.loadMemo = new SegmentLoadMemo(mem);
    mem.onRemap = () => {
      this.flushFetch();
      this.jit?.flush();
      this.loadMemo.forget();
    };
    mem.onCodeWrite = (addr, length) => {
      this.loadMemo.written(addr, length);
      this.jit?.codeWritten(addr, length);
    };
    const buf = new ArrayBuffer(32);
    this.r32 = new Uint32Array(buf);
    this.r16 = new Uint16Array(buf);
    this.r8 = new Uint8Array(buf);
    if (traits.wrapSegments) this.ipWrapAt = 0x10000;
    this.reset();
  }

  /** Hardware reset state (SDM Vol. 3 §9.1.1), except CS:IP which boot starts at 0000:7C00 via the BIOS. */
  reset(): void {
    this.prefixes = 0;
    this.segOvr = -1;
    this.rep = 0;
    this.r32.fill(0);
    this.flags = EFLAGS_FIXED1 | this.traits.flagsFixed1;
    this.lazy = 0;
    for (let s = 0; s < 8; s++) this.setCache(s, 0, 0, 0xffff, s === CS ? 0x9b : s === 6 ? 0x82 : s === 7 ? 0x8b : 0x93);
    this.cr0 = this.traits.cr0Boot;
    this.cr2 = this.cr3 = this.cr4 = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0;
    this.dr[7] = 0x400;
    this.gdtrBase = 0;
    this.gdtrLimit = 0xffff;
    this.idtrBase = 0;
    this.idtrLimit = 0x3ff;
    this.cpl = 0;
    this.alignCheck = false;
    this.msr.clear();
    for (const [k, v] of this.traits.msrs) this.msr.set(k, v);
    this.tscOffset = 0n;
    this.eip = 0;
    this.halted = false;
    this.shutdown = false;
    this.lastException = -1;
    this.faultChain = [];
    this.faultCause = null;
    this.delivering = -1;
    this.shadowUntil = -1;
    this.trapHeldAt = -1;
    this.fpu?.reset();
    this.updateMode();
  }

  /**
   * Power-on state for firmware run from the reset vector (SDM Vol. 3 §9.1.1 Table 9-1, §9.1.4):
   * reset() with the model's power-on CR0, EDX holding the processor signature (CPUID's, where the
   * model has CPUID) and CS:EIP F000:FFF0 with CS.base FFFF0000, so the first far jump reloads CS.
   */
  powerOn(): void {
    this.reset();
    this.r32[EDX] = this.traits.cpuid?.signature ?? 0;
    this.cr0 = this.traits.cr0PowerOn;
    this.setCache(CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
    this.eip = 0xfff0;
    this.updateMode();
  }

  // ---- segment cache -------------------------------------------------------------------

  /** Fills one segment register's selector and hidden cache and its precomputed access bits. */
  setCache(seg: number, selector: number, base: number, limit: number, ar: number): void {
    const oldBase = this.base[seg], oldHi = this.hi[seg];
    this.loadMemo.reloadable[seg] = -1;
    this.sel[seg] = selector;
    this.base[seg] = base >>> 0;
    this.limit[seg] = limit >>> 0;
    this.ar[seg] = ar;
    this.refreshAccess(seg);
    if (seg === CS && this.prefixes === 0) this.fetchLimit = this.hi[CS];
    if (seg === CS) {
      // The code window depends on CS.base and the highest valid offset only: a far jump that
      // reloads the same segment keeps it.
      if (this.base[CS] !== oldBase || this.hi[CS] !== oldHi) this.flushFetch();
      this.csLoaded();
      this.code32 = ar & AR_DB ? 1 : 0;
      // Outside a prefixed instruction the decode state follows the new CS at once.
      if (this.prefixes === 0) this.o32 = this.a32 = this.code32;
    } else if (seg === SS) {
      this.stackMask = ar & AR_DB ? 0xffffffff : 0xffff;
    }
  }

  /** Recomputes lo/hi/segOk from the cache (SDM Vol. 3 §5.3 limit checking, §5.4 type checking). */
  refreshAccess(seg: number): void {
    const ar = this.ar[seg];
    const limit = this.limit[seg];
    const type = ar & 0xf;
    if (!(this.cr0 & CR0_PE) || this.flags & EFLAGS_VM) {
      // Real mode and vm86: no type checks; the cached limit still applies (unreal mode).
      this.lo[seg] = 0;
      this.hi[seg] = limit;
      this.setSegAccess(seg, SEG_R | SEG_W);
      return;
    }
    if (ar & 0x10000 || !(ar & AR_P) || !(ar & AR_S)) {
      // Unusable (null selector) or a system segment: any access faults.
      this.lo[seg] = 0;
      this.hi[seg] = limit;
      this.setSegAccess(seg, 0);
      return;
    }
    const code = (type & 8) !== 0;
    if (!code && type & 4) {
      // Expand-down data: valid offsets are limit+1 .. 0xFFFF (or 0xFFFFFFFF with B set).
      this.lo[seg] = (limit + 1) >>> 0;
      this.hi[seg] = ar & AR_DB ? 0xffffffff : 0xffff;
      // A limit of FFFFFFFFh (G set, limit field FFFFFh) leaves no valid offset: lo > hi.
      if (limit === 0xffffffff) {
        this.lo[seg] = 0xffffffff;
        this.hi[seg] = 0;
      }
    } else {
      this.lo[seg] = 0;
      this.hi[seg] = limit;
    }
    this.setSegAccess(seg, code ? (type & 2 ? SEG_R : 0) : SEG_R | (type & 2 ? SEG_W : 0));
  }

  private setSegAccess(seg: number, ok: number): void {
    this.segAccess[seg] = ok;
    this.segOk[seg] = this.alignCheck ? 0 : ok;
    this.refreshFastHi(seg);
  }

  private refreshFastHi(seg: number): void {
    const ok = this.segOk[seg], hi = Math.min(this.hi[seg], 0x7fffffff), fits = this.lo[seg] === 0;
    this.fastReadHi[seg] = (ok & SEG_R) !== 0 && fits ? hi : -1;
    this.fastWriteHi[seg] = (ok & SEG_W) !== 0 && fits ? hi : -1;
  }

  /**
   * Recomputes whether alignment checking is on (SDM Vol. 3 §6.15 Interrupt 17: CR0.AM = 1,
   * EFLAGS.AC = 1, CPL 3, protected mode or vm86). Called wherever CR0, EFLAGS or CPL change.
   */
  refreshAlignment(): void {
    const on = this.traits.alignmentCheck && this.cpl === 3 && (this.cr0 & (CR0_AM | CR0_PE)) === (CR0_AM | CR0_PE) &&
      (this.flags & EFLAGS_AC) !== 0;
    if (on === this.alignCheck) return;
    this.alignCheck = on;
    for (let s = 0; s < 8; s++) {
      this.segOk[s] = on ? 0 : this.segAccess[s];
      this.refreshFastHi(s);
    }
  }

  /**
   * The checked path of a `size`-byte data access at seg:off that a fast test refused: the segment
   * limit and type with the real access bits, then alignment (#AC(0), before any page fault).
   */
  checkData(seg: number, off: number, size: number, need: number): void {
    if (off < this.lo[seg] || off + size - 1 > this.hi[seg] || (this.segAccess[seg] & need) === 0) this.segFault(seg);
    const lin = (this.base[seg] + off) >>> 0;
    if (this.alignCheck && (lin & (size - 1)) !== 0) this.faultRule(AC_ALIGN, 0, -1, this.sel[seg], 0, 0, size, lin, 0, seg);
  }

  /** Limit in bytes from a descriptor's 20-bit limit and G bit. */
  static byteLimit(rawLimit: number, ar: number): number {
    return ar & AR_G ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
  }

  /** Recomputes cached mode bits after CR0, EFLAGS.VM or CS changes. */
  updateMode(): void {
    // A mode switch can end the machine's burst, so mode-dependent stop addresses are planned again.
    this.attn |= ATTN_MODE;
    this.loadMemo.dropReloads();
    this.refreshAlignment();
    this.paging = (this.cr0 & CR0_PG) !== 0 && (this.cr0 & CR0_PE) !== 0;
    this.flushFetch();
    for (let s = 0; s < 8; s++) this.refreshAccess(s);
    // The default sizes come from the cached D/B bits in every mode (a real-mode CS that kept D=1 runs 32-bit code).
    this.code32 = this.ar[CS] & AR_DB ? 1 : 0;
    if (this.prefixes === 0) {
      this.o32 = this.a32 = this.code32;
      this.fetchLimit = this.hi[CS];
    }
    this.stackMask = this.ar[SS] & AR_DB ? 0xffffffff : 0xffff;
  }

  get protectedMode(): boolean {
    return (this.cr0 & CR0_PE) !== 0;
  }

  get vm86(): boolean {
    return (this.flags & EFLAGS_VM) !== 0;
  }

  /**
   * STI and MOV/POP SS hold off interrupts until after the next instruction, MOV/POP SS the
   * single-step trap too (`trap`; SDM §6.8.3, as Bochs does: QEMU holds the trap after STI as well).
   * icount already counts the instruction running, so the shadow ends when the next one has run.
   */
  inhibitInterrupts(trap: boolean): void {
    this.shadowUntil = this.icount;
    if (trap) this.trapHeldAt = this.icount;
    this.attn |= ATTN_SHADOW;
  }

  // ---- faults --------------------------------------------------------------------------

  /**
   * Throws the FAULT sentinel for `rule` (its vector) with the values it compared: `event` is the
   * vector being delivered (-1 outside delivery); see FaultValues for the others.
   */
  faultRule(
    rule: FaultRule, errorCode: number, event: number, selector: number, lo = 0, hi = 0, limit = 0, offset = 0, level = 0, seg = -1,
  ): never {
    FAULT.vector = rule.vector;
    FAULT.errorCode = errorCode;
    FAULT.rule = rule;
    FAULT.event = event;
    FAULT.selector = selector;
    FAULT.lo = lo;
    FAULT.hi = hi;
    FAULT.cpl = this.cpl;
    FAULT.level = level;
    FAULT.limit = limit;
    FAULT.offset = offset;
    FAULT.seg = seg;
    throw FAULT;
  }

  /**
   * A segment limit or type violation: #SS(0) through SS, #GP(0) otherwise (SDM Vol. 3 §6.15), through
   * SEG.ACCESS(.SS) with the register's cache as values (access rights as `lo`, base as `hi`).
   */
  segFault(seg: number): never {
    const stack = seg === SS && (this.cr0 & CR0_PE || !this.traits.realOverrunIsGp);
    return this.faultRule(stack ? SEG_ACCESS_SS : SEG_ACCESS, 0, -1, this.sel[seg], this.ar[seg], this.base[seg], this.limit[seg], 0, 0, seg);
  }

  // ---- linear memory (paging applies) --------------------------------------------------

  /** Translates a linear address; paging.ts replaces this when CR0.PG is set. */
  translate: (cpu: Cpu, lin: number, write: boolean) => number = (_cpu, lin) => lin;

  readLin8(lin: number): number {
    if (this.paging) lin = this.translate(this, lin, false);
    return this.mem.read8(lin);
  }

  readLin16(lin: number): number {
    if (this.paging) {
      if ((lin & 0xfff) === 0xfff) return this.readLin8(lin) | (this.readLin8(lin + 1) << 8);
      lin = this.translate(this, lin, false);
    }
    return this.mem.read16(lin);
  }

  readLin32(lin: number): number {
    if (this.paging) {
      if ((lin & 0xfff) > 0xffc) return (this.readLin16(lin) | (this.readLin16(lin + 2) << 16)) >>> 0;
      lin = this.translate(this, lin, false);
    }
    return this.mem.read32(lin);
  }

  writeLin8(lin: number, v: number): void {
    if (this.paging) lin = this.translate(this, lin, true);
    this.mem.write8(lin, v);
  }

  writeLin16(lin: number, v: number): void {
    if (this.paging) {
      if ((lin & 0xfff) === 0xfff) {
        // Translate both pages before writing either, so a #PF on the second leaves memory unchanged.
        const a = this.translate(this, lin, true), b = this.translate(this, lin + 1, true);
        this.mem.write8(a, v & 0xff);
        this.mem.write8(b, (v >>> 8) & 0xff);
        return;
      }
      lin = this.translate(this, lin, true);
    }
    this.mem.write16(lin, v);
  }

  writeLin32(lin: number, v: number): void {
    if (this.paging) {
      if ((lin & 0xfff) > 0xffc) {
        // Probe both pages first; a #PF on the second reports that page's first byte in CR2.
        this.translate(this, lin, true);
        this.translate(this, ((lin + 3) & ~0xfff) >>> 0, true);
        this.writeLin16(lin, v & 0xffff);
        this.writeLin16(lin + 2, v >>> 16);
        return;
      }
      lin = this.translate(this, lin, true);
    }
    this.mem.write32(lin, v);
  }

  /**
   * True while the CPU makes an implicit supervisor access (descriptor tables, TSS): paging checks
   * as CPL 0. Without paging the flag means nothing, so the *Sys accessors skip setting it.
   */
  sysAccess = false;

  readLin32Sys(lin: number): number {
    return this.sysAccessOp(SysOp.Read32, lin, 0);
  }
  readLin16Sys(lin: number): number {
    return this.sysAccessOp(SysOp.Read16, lin, 0);
  }
  writeLin8Sys(lin: number, v: number): void {
    this.sysAccessOp(SysOp.Write8, lin, v);
  }
  writeLin16Sys(lin: number, v: number): void {
    this.sysAccessOp(SysOp.Write16, lin, v);
  }
  writeLin32Sys(lin: number, v: number): void {
    this.sysAccessOp(SysOp.Write32, lin, v);
  }

  /** One implicit supervisor access; the flag is cleared even when the access faults. */
  private sysAccessOp(op: SysOp, lin: number, v: number): number {
    if (!this.paging) return this.linAccess(op, lin, v);
    this.sysAccess = true;
    try {
      return this.linAccess(op, lin, v);
    } finally {
      this.sysAccess = false;
    }
  }

  private linAccess(op: SysOp, lin: number, v: number): number {
    switch (op) {
      case SysOp.Read16: return this.readLin16(lin);
      case SysOp.Read32: return this.readLin32(lin);
      case SysOp.Write8: this.writeLin8(lin, v); return 0;
      case SysOp.Write16: this.writeLin16(lin, v); return 0;
      case SysOp.Write32: this.writeLin32(lin, v); return 0;
    }
  }

  // ---- segment-relative memory ----------------------------------------------------------

  rd8(seg: number, off: number): number {
    if (off < this.lo[seg] || off > this.hi[seg] || (this.segOk[seg] & SEG_R) === 0) this.checkData(seg, off, 1, SEG_R);
    return this.readLin8((this.base[seg] + off) | 0);
  }

  rd16(seg: number, off: number): number {
    if (off < this.lo[seg] || off >= this.hi[seg] || (this.segOk[seg] & SEG_R) === 0) return this.rd16Slow(seg, off);
    return this.readLin16((this.base[seg] + off) | 0);
  }

  rd32(seg: number, off: number): number {
    if (off < this.lo[seg] || off + 3 > this.hi[seg] || (this.segOk[seg] & SEG_R) === 0) this.checkData(seg, off, 4, SEG_R);
    return this.readLin32((this.base[seg] + off) | 0);
  }

  wr8(seg: number, off: number, v: number): void {
    if (off < this.lo[seg] || off > this.hi[seg] || (this.segOk[seg] & SEG_W) === 0) this.checkData(seg, off, 1, SEG_W);
    this.writeLin8((this.base[seg] + off) | 0, v);
  }

  wr16(seg: number, off: number, v: number): void {
    if (off < this.lo[seg] || off >= this.hi[seg] || (this.segOk[seg] & SEG_W) === 0) {
      this.wr16Slow(seg, off, v);
      return;
    }
    this.writeLin16((this.base[seg] + off) | 0, v);
  }

  wr32(seg: number, off: number, v: number): void {
    if (off < this.lo[seg] || off + 3 > this.hi[seg] || (this.segOk[seg] & SEG_W) === 0) this.checkData(seg, off, 4, SEG_W);
    this.writeLin32((this.base[seg] + off) | 0, v);
  }

  /** A word at the last byte of a segment: the 8086 wraps to offset 0, later CPUs fault. */
  private rd16Slow(seg: number, off: number): number {
    if (this.traits.wrapSegments && off === 0xffff) {
      return this.readLin8((this.base[seg] + 0xffff) | 0) | (this.readLin8(this.base[seg] | 0) << 8);
    }
    this.checkData(seg, off, 2, SEG_R);
    return this.readLin16((this.base[seg] + off) | 0);
  }

  private wr16Slow(seg: number, off: number, v: number): void {
    if (this.traits.wrapSegments && off === 0xffff) {
      this.writeLin8((this.base[seg] + 0xffff) | 0, v & 0xff);
      this.writeLin8(this.base[seg] | 0, (v >>> 8) & 0xff);
      return;
    }
    this.checkData(seg, off, 2, SEG_W);
    this.writeLin16((this.base[seg] + off) | 0, v);
  }

  // ---- instruction fetch ---------------------------------------------------------------

  /** Highest EIP a byte of the current instruction may be fetched from (CS limit, or the length limit). */
  fetchLimit = 0xffff;

  // The code window: EIPs winLo .. winLo + winLen - 1 lie in one RAM page that needs no fault,
  // translation or page-flag test, so a fetch there is one compare and one load of `ram` at
  // eip + winDelta. It is recomputed on the first fetch outside it and dropped (flushFetch) when
  // CS's base or limit, paging, CPL, A20 or a page's flags change; the length limit of a
  // prefixed instruction narrows it (clampFetchWindow) until resetDecodeState widens it again.
  // Stores need no invalidation: the window reads RAM itself, so self-modifying code just works.
  winLo = 0;
  winLen = 0;
  /** winLen before the length limit of a prefixed instruction narrowed it. */
  winLenFull = 0;
  winDelta = 0;
  /** Guest RAM (the same array as mem.ram), kept here so a fetch is one property load shorter. */
  readonly ram: Uint8Array;
  /**
   * The page filter of the code breakpoints armed for this run (execute.ts), or null. A window
   * records whether its linear page has any (winBp), so the armed loop tests breakpoints exactly
   * only outside the window or on such a page.
   */
  bpPages: Uint8Array | null = null;
  winBp = 0;
  /** The physical pages of the run's physical breakpoints (execute.ts), or null: windows there get winBp under paging. */
  bpPhysPages: Uint8Array | null = null;
  /** Set by runCpu while CS:IP breakpoints exist: a CS load then raises ATTN_CSIP (csLoaded). */
  csWatch = false;

  /** Every write of CS's selector or base ends here (or in setCache): CS:IP breakpoints follow CS. */
  csLoaded(): void {
    if (this.csWatch) this.attn |= ATTN_CSIP;
  }

  /** Back to the decode state of an unprefixed instruction (after a prefixed one, also when it faulted). */
  resetDecodeState(): void {
    this.o32 = this.a32 = this.code32;
    this.segOvr = -1;
    this.rep = 0;
    this.prefixes = 0;
    this.fetchLimit = this.hi[CS];
    this.winLen = this.winLenFull;
  }

  /** Entries of `ops` were replaced or put back (a debugger's wrapper): compiled blocks made with the old ones go. */
  opsChanged(): void {
    this.jit?.flush();
  }

  /** Drops the code window: the next fetch recomputes it. */
  flushFetch(): void {
    this.winLen = this.winLenFull = 0;
  }

  /**
   * The TLB dropped translations (paging.ts): the code window goes, and a compiled block running
   * the instruction returns after it, so the next one is fetched through the new translation.
   */
  translationsDropped(): void {
    this.flushFetch();
    this.loadMemo.dropReloads();
    this.attn |= ATTN_CODE;
  }

  /** Narrows the code window to fetchLimit (a prefix lowered it to enforce the length limit). */
  clampFetchWindow(): void {
    const n = this.fetchLimit - this.winLo + 1;
    if (n < this.winLen) this.winLen = n > 0 ? n : 0;
  }

  fetch8(): number {
    const eip = this.eip;
    if (((eip - this.winLo) >>> 0) < this.winLen) {
      this.eip = eip + 1;
      return this.ram[eip + this.winDelta];
    }
    return this.fetch8Slow();
  }

  fetch16(): number {
    const eip = this.eip;
    if (((eip - this.winLo) >>> 0) + 1 < this.winLen) {
      this.eip = eip + 2;
      const i = eip + this.winDelta;
      return this.ram[i] | (this.ram[i + 1] << 8);
    }
    return this.fetch8Slow() | (this.fetch8() << 8);
  }

  fetch32(): number {
    const eip = this.eip;
    if (((eip - this.winLo) >>> 0) + 3 < this.winLen) {
      this.eip = eip + 4;
      const i = eip + this.winDelta;
      const r = this.ram;
      return (r[i] | (r[i + 1] << 8) | (r[i + 2] << 16) | (r[i + 3] << 24)) >>> 0;
    }
    return (this.fetch16() | (this.fetch16() << 16)) >>> 0;
  }

  fetchS8(): number {
    return (this.fetch8() << 24) >> 24;
  }

  /** A fetch outside the code window: the limit checks, translation and page flags, then a new window. */
  private fetch8Slow(): number {
    const eip = this.eip;
    if (eip > this.fetchLimit) this.faultRule(FETCH_LIMIT, 0, -1, this.sel[CS], this.prevEip, 0, this.hi[CS], eip);
    const next = eip + 1;
    this.eip = next === this.ipWrapAt ? 0 : next;
    const lin = (this.base[CS] + eip) | 0;
    const phys = ((this.paging ? this.translate(this, lin, false) : lin) & this.mem.a20Mask) >>> 0;
    // Only plain RAM pages get a window; MMIO and read-watched pages always take this path.
    if ((this.mem.pageFlags[phys >>> 12] & (PF_MMIO | PF_WATCH_R)) !== 0 || ((phys & ~0xfff) >>> 0) + 0x1000 > this.mem.ramSize) {
      this.winLen = this.winLenFull = 0;
      return this.mem.read8(phys);
    }
    this.openWindow(eip, lin, phys);
    return this.ram[phys];
  }

  /**
   * Makes the code window the page of EIP `eip` (linear `lin`, physical `phys`, a plain RAM page that
   * needs no fault): what a fetch outside the window does after translating (the block cache does
   * it too, on a TLB hit, before running a block under paging).
   */
  openWindow(eip: number, lin: number, phys: number): void {
    const inPage = lin & 0xfff;
    const lo = eip > inPage ? eip - inPage : 0;
    // The window ends at the page end, the CS limit, and on the 8086 before the byte whose
    // successor wraps IP to 0 (that byte is fetched here).
    let end = Math.min(eip - inPage + 0x1000, this.hi[CS] + 1);
    if (this.ipWrapAt >= 0) end = Math.min(end, this.ipWrapAt - 1);
    this.winLo = lo;
    this.winBp = this.bpPages !== null ? this.bpPages[lin >>> 12] : 0;
    if (this.bpPhysPages !== null && this.paging) this.winBp |= this.bpPhysPages[phys >>> 12];
    this.winLenFull = end > lo ? end - lo : 0;
    this.winDelta = phys - eip;
    this.winLen = this.winLenFull;
    this.clampFetchWindow();
  }

  // ---- stack ---------------------------------------------------------------------------

  get sp(): number {
    return this.r32[ESP] & this.stackMask;
  }

  setSp(v: number): void {
    if (this.stackMask === 0xffff) this.r16[ESP * 2] = v;
    else this.r32[ESP] = v;
  }

  push16(v: number): void {
    const sp = (this.r32[ESP] - 2) & this.stackMask;
    this.wr16(SS, sp >>> 0, v);
    this.setSp(sp);
  }

  push32(v: number): void {
    const sp = ((this.r32[ESP] - 4) & this.stackMask) >>> 0;
    this.wr32(SS, sp, v);
    this.setSp(sp);
  }

  pop16(): number {
    const sp = this.r32[ESP] & this.stackMask;
    const v = this.rd16(SS, sp >>> 0);
    this.setSp(sp + 2);
    return v;
  }

  pop32(): number {
    const sp = (this.r32[ESP] & this.stackMask) >>> 0;
    const v = this.rd32(SS, sp);
    this.setSp(sp + 4);
    return v;
  }

  // ---- flags ---------------------------------------------------------------------------

  /** EFLAGS with every lazy bit computed. */
  getFlags(): number {
    return materialize(this) | this.traits.flagsFixed1 | EFLAGS_FIXED1;
  }

  /** Writes EFLAGS (the caller has applied the privilege and model masks). */
  setFlags(v: number): void {
    const oldVm = this.flags & EFLAGS_VM;
    this.lazy = 0;
    this.flags = (v | EFLAGS_FIXED1 | this.traits.flagsFixed1) >>> 0;
    if ((this.flags & EFLAGS_VM) !== oldVm) this.updateMode();
    else this.refreshAlignment();
    // TF arms the single-step trap; IF may let a pending interrupt in: both are slow-path work.
    if (this.flags & EFLAGS_TF) this.attn |= ATTN_TRAP;
    if (this.irqPending && this.flags & EFLAGS_IF) this.attn |= ATTN_IRQ;
  }
}
