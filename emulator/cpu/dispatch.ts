// Derives the opcode dispatch array of each CPU model from the opcode table (emulator/decode): a
// row names its handler, the families in exec/ export handlers by those names, the rows available
// on a model give its slots, and model differences are patches to the entries (exec's *_80286 and
// *_8086 lists), so no handler ever tests the model. Built once per model, copied per CPU.
// SDM Vol. 2 Appendix A (opcode map). Pure TypeScript: no Node or VS Code imports.

import { mapIndex, opMap, selectRow } from '../decode/opmap';
import { decodeTier, type OpRow } from '../decode/table';
import { type Cpu, type CpuModel, type Handler, type ModelTraits } from './cpu';
import { ARITH, ARITH_80286, ARITH_8086 } from './exec/arith';
import { CONTROL, ffSlot7_8086 } from './exec/control';
import { IO } from './exec/io';
import { MOVE, MOVE_80286, MOVE_80386, MOVE_8086 } from './exec/move';
import { escape0F, PREFIX, PREFIX_80286 } from './exec/prefix';
import { SHIFT, shift, shift386, shift8086 } from './exec/shift';
import { STACK, STACK_80386, STACK_8086, spAfterPush8086 } from './exec/stack';
import { STRING } from './exec/string';
import { SYSTEM, SYSTEM_8086 } from './exec/system';
import { type HandlerEntry, type Handlers, OP32, type Patch, type SizedHandler, undefinedOpcode } from './exec/table';
import { FXSTATE, FXSTATE_80386 } from './exec/x87';
import { PM_286, PM_386 } from './protected/common';
import { installProtectedMode } from './protected/install';
import { CR0_CD, CR0_NW, CR4_DE, CR4_OSFXSR, CR4_PSE, CR4_TSD } from './regs';
import { BlockCache } from './jit/blocks';

/** CPUID leaf 1 EDX bits (SDM Vol. 2 CPUID, Table 3-11). */
const CPUID_PSE = 1 << 3, CPUID_TSC = 1 << 4, CPUID_MSR = 1 << 5, CPUID_CX8 = 1 << 8, CPUID_CMOV = 1 << 15, CPUID_FXSR = 1 << 24;
/** CR0 on the 386 class: PE MP EM TS ET NE WP AM NW CD PG (the 80386 core takes the 486 bits too). */
const CR0_386_UP = 0xe005003f;
/** The 80486 and Pentium hardwire CR0.ET to 1 (their x87 is integrated or absent, never a 287). */
const CR0_ET = 0x10;

/** The MSRs the default 80386 core answers (boot code probes them), with their reset values. */
const MSRS_80386: readonly (readonly [number, bigint])[] = [
  [0x10, 0n], // IA32_TIME_STAMP_COUNTER (read via the instruction count)
  [0x1b, 0xfee00900n], // IA32_APIC_BASE: BSP, enabled, default base
  [0x3a, 0n], // IA32_FEATURE_CONTROL: unlocked, VMX off
  [0x174, 0n], [0x175, 0n], [0x176, 0n], // SYSENTER_CS/ESP/EIP
  [0x277, 0x0007040600070406n], // IA32_PAT reset value
  [0x2ff, 0n], // IA32_MTRR_DEF_TYPE
];

const BASE_386 = {
  flagsFixed1: 0, addressMask: 0xffffffff, wrapSegments: false, divideErrorIsTrap: false, realOverrunIsGp: false,
  maxInsnLength: 15, stringFaultAdvances: false, cr0Writable: CR0_386_UP, paging: true, pm: PM_386, sgdtHighByte: 0,
} as const;

/** The per-model facts; the model list itself is protocol/launchConfig.ts CPU_MODEL_NAMES. */
export const MODEL_TRAITS: Record<CpuModel, ModelTraits> = {
  '8086': {
    flagsFixed1: 0xf000, flagsWritable: 0x0fd5, addressMask: 0xfffff, wrapSegments: true, divideErrorIsTrap: true, realOverrunIsGp: false,
    maxInsnLength: 0, stringFaultAdvances: false, cr0Writable: 0, cr0Fixed1: 0, cr0Boot: 0, cr0PowerOn: 0, cr4Writable: 0, paging: false,
    pm: null, sgdtHighByte: 0, shift386: false, alignmentCheck: false, cpuid: null, msrs: [],
  },
  // The MSW: PE MP EM TS, the other bits read as ones.
  '80286': {
    flagsFixed1: 0, flagsWritable: 0x0fd5, addressMask: 0xffffff, wrapSegments: false, divideErrorIsTrap: false, realOverrunIsGp: true,
    maxInsnLength: 10, stringFaultAdvances: true, cr0Writable: 0xf, cr0Fixed1: 0xfff0, cr0Boot: 0xfff0, cr0PowerOn: 0xfff0, cr4Writable: 0, paging: false,
    pm: PM_286, sgdtHighByte: 0xff000000, shift386: false, alignmentCheck: false, cpuid: null, msrs: [],
  },
  // The default core: a 386 with the later integer instructions boot code uses (decode/table.ts
  // MODEL_DECODES). IOPL/NT are writable in real mode; AC (bit 18) and ID (bit 21) toggle so that
  // CPUID detection works; ET is writable (a 386 with or without a 387).
  '80386': {
    ...BASE_386, flagsWritable: 0x00247fd5, cr0Fixed1: 0, cr0Boot: CR0_ET, cr0PowerOn: CR0_ET, cr4Writable: CR4_PSE | CR4_TSD | CR4_DE,
    shift386: true, alignmentCheck: false, cpuid: { signature: 0x400, features: CPUID_PSE | CPUID_TSC | CPUID_MSR }, msrs: MSRS_80386,
  },
  // A late 486DX (the IntelDX4 class: family 4, model 8): CPUID, so EFLAGS.ID toggles; no CR4 bits
  // (VME/PVI are not implemented), no MSRs; alignment checking.
  '80486': {
    ...BASE_386, flagsWritable: 0x00247fd5, cr0Fixed1: CR0_ET, cr0Boot: CR0_ET, cr0PowerOn: CR0_CD | CR0_NW | CR0_ET, cr4Writable: 0,
    shift386: false, alignmentCheck: true, cpuid: { signature: 0x480, features: 0 }, msrs: [],
  },
  // A P54C Pentium (family 5, model 2, stepping C) without the features not implemented here (VME,
  // PVI, DE's I/O breakpoints, MCE, APIC): 4 MiB pages, TSC, MSRs (only the TSC), CMPXCHG8B.
  pentium: {
    ...BASE_386, flagsWritable: 0x00247fd5, cr0Fixed1: CR0_ET, cr0Boot: CR0_ET, cr0PowerOn: CR0_CD | CR0_NW | CR0_ET, cr4Writable: CR4_PSE | CR4_TSD,
    shift386: false, alignmentCheck: true, cpuid: { signature: 0x52c, features: CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8 },
    msrs: [[0x10, 0n]],
  },
  // A Pentium II (Deschutes: family 6, model 5, QEMU's -cpu pentium2) as the Pentium plus what is
  // implemented of the P6: CMOVcc, FCMOVcc/FCOMI/FUCOMI, FXSAVE/FXRSTOR (the x87 state: there is no
  // SSE, so CR4.OSFXSR, which Linux sets wherever CPUID reports FXSR, changes nothing), the
  // multi-byte NOP. Not reported and not there: MMX, SYSENTER, PAE, PGE, MTRRs, PAT, machine checks,
  // the APIC. Stepping 2 as QEMU's.
  pentium2: {
    ...BASE_386, flagsWritable: 0x00247fd5, cr0Fixed1: CR0_ET, cr0Boot: CR0_ET, cr0PowerOn: CR0_CD | CR0_NW | CR0_ET, cr4Writable: CR4_PSE | CR4_TSD | CR4_OSFXSR,
    shift386: false, alignmentCheck: true,
    cpuid: { signature: 0x652, features: CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8 | CPUID_CMOV | CPUID_FXSR },
    msrs: [[0x10, 0n]],
  },
};

function merge(families: readonly Handlers[]): Handlers {
  const all: Record<string, HandlerEntry> = {};
  for (const f of families) {
    for (const [name, entry] of Object.entries(f)) {
      if (name in all) fail(`handler ${name} is defined twice in exec/`);
      all[name] = entry;
    }
  }
  return all;
}

/** Every handler of exec/, by the row name it serves. */
export const HANDLERS: Handlers = merge([ARITH, SHIFT, MOVE, STACK, CONTROL, STRING, IO, SYSTEM, PREFIX, FXSTATE]);

/** Model patches, applied in order (the 8086 takes the 80286's first). */
export const MODEL_PATCHES: Record<CpuModel, readonly Patch[]> = {
  pentium2: [],
  pentium: [],
  '80486': [],
  '80386': [MOVE_80386, STACK_80386, FXSTATE_80386],
  '80286': [ARITH_80286, MOVE_80286, PREFIX_80286],
  '8086': [ARITH_80286, MOVE_80286, PREFIX_80286, ARITH_8086, MOVE_8086, STACK_8086, SYSTEM_8086],
};

/**
 * The rows that can decode at a map index: those `selectRow` returns for some ModRM byte and
 * mandatory prefix (at 90, NOP wins over XCHG eAX,Zv; a group has one row per ModRM.reg).
 */
export function reachableRows(list: readonly OpRow[]): OpRow[] {
  if (list.length <= 1) return [...list];
  const rows = new Set<OpRow>();
  for (const p66 of [false, true]) {
    for (const pF3 of [false, true]) {
      for (let m = 0; m < 256; m++) {
        const r = selectRow(list, m, p66, pF3);
        if (r) rows.add(r);
      }
    }
  }
  return [...rows];
}

function fail(msg: string): never {
  throw new Error(`opcode table: ${msg}`);
}

/** The handler a row runs at map index `i` on a model with `patch`. */
function bind(row: OpRow, i: number, patch: ReadonlyMap<HandlerEntry, HandlerEntry>): SizedHandler {
  const named = HANDLERS[row.handler] ??
    fail(`row ${row.mnemonic} ${row.operands} names handler ${row.handler}, which exec/ does not define`);
  const entry = patch.get(named) ?? named;
  return 'byReg' in entry ? entry.byReg[i - mapIndex(row.opcode)] : entry;
}

function derive(model: CpuModel): readonly Handler[] {
  const map = opMap(decodeTier(model));
  const patch = new Map(MODEL_PATCHES[model].flat());
  const ops: Handler[] = new Array(0x400).fill(undefinedOpcode);
  for (let i = 0; i < 0x200; i++) {
    const rows = reachableRows(map.rows[i]);
    if (rows.length === 0) continue;
    // One dispatch entry per opcode: the rows of a group must share their handler.
    const h = bind(rows[0], i, patch);
    for (const r of rows) {
      if (bind(r, i, patch) !== h) {
        fail(`${model} opcode ${i.toString(16)}: ${rows[0].handler} and ${r.handler} are different handlers ` +
          '(the rows of one opcode share one, which reads ModRM)');
      }
    }
    ops[i] = typeof h === 'function' ? h : h[0];
    ops[i | OP32] = typeof h === 'function' ? h : h[1];
  }
  if (map.twoByte) ops[0x0f] = ops[0x0f | OP32] = escape0F;
  return ops;
}

const derived = new Map<CpuModel, readonly Handler[]>();

/** The dispatch array of a model, derived on first use. */
export function dispatchTable(model: CpuModel): readonly Handler[] {
  let ops = derived.get(model);
  if (!ops) derived.set(model, (ops = derive(model)));
  return ops;
}

/** Installs the model's dispatch table and behaviour hooks on `cpu`. */
export function installModel(cpu: Cpu): void {
  cpu.baseOps = dispatchTable('80386');
  cpu.ops = dispatchTable(cpu.model).slice();
  if (cpu.model === '8086') {
    cpu.shiftMask = 0xff;
    cpu.shiftOp = shift8086;
    cpu.idivMin8 = -127;
    cpu.idivMin16 = -32767;
    cpu.pushSpValue = spAfterPush8086;
    cpu.ffSlot7 = ffSlot7_8086;
  } else {
    cpu.shiftMask = 0x1f;
    cpu.shiftOp = cpu.traits.shift386 ? shift386 : shift;
  }
  installProtectedMode(cpu);
  cpu.jit = new BlockCache(cpu);
}
