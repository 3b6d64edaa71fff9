// The VMCS as data for the VM-entry checks: guest-state area (SDM Vol. 3 §24.4), the VM-execution and
// VM-entry controls the checks read (§24.6, §24.8), the host area as dumps show it (§24.5), and the
// VMX capability MSR values (Appendix A). Every field is optional: a check that needs a missing one is skipped.
// Natural-width and 64-bit fields are bigint (64-bit hypervisor dumps); 16/32-bit fields are number. No Node/VS Code imports.
import { hex as formatHex } from '../../protocol/format';

export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'] as const;
export type SegName = (typeof SEG_NAMES)[number];
/** The six segment registers the v86 and data-segment rules range over, in the SDM's order. */
export const SEGS6 = ['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const;

export interface SegmentState {
  selector?: number;
  base?: bigint;
  limit?: number;
  /** Access rights in VMCS layout (bit 16 = unusable). */
  access?: number;
}

export interface TableState {
  base?: bigint;
  limit?: number;
}

export interface GuestState {
  cr0?: bigint;
  cr3?: bigint;
  cr4?: bigint;
  dr7?: bigint;
  rsp?: bigint;
  rip?: bigint;
  rflags?: bigint;
  es?: SegmentState;
  cs?: SegmentState;
  ss?: SegmentState;
  ds?: SegmentState;
  fs?: SegmentState;
  gs?: SegmentState;
  ldtr?: SegmentState;
  tr?: SegmentState;
  gdtr?: TableState;
  idtr?: TableState;
  debugctl?: bigint;
  sysenterCs?: number;
  sysenterEsp?: bigint;
  sysenterEip?: bigint;
  efer?: bigint;
  pat?: bigint;
  perfGlobalCtrl?: bigint;
  bndcfgs?: bigint;
  smbase?: number;
  /** 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI (§24.4.2). */
  activityState?: number;
  /** Bit 0 STI, 1 MOV-SS, 2 SMI, 3 NMI, 4 enclave (§24.4.2 Table 24-3). */
  interruptibility?: number;
  pendingDebugExceptions?: bigint;
  vmcsLinkPointer?: bigint;
  pdpte?: (bigint | undefined)[];
}

/** The control fields the checks read (§24.6, §24.8); 32-bit values. */
export interface VmxControls {
  pinBased?: number;
  procBased?: number;
  procBased2?: number;
  entry?: number;
  exit?: number;
  exceptionBitmap?: number;
  /** VM-entry interruption-information field (§24.8.3). */
  entryIntrInfo?: number;
  entryErrorCode?: number;
  entryInstrLen?: number;
  eptPointer?: bigint;
}

/** What a dump shows of the host-state area (not checked: host checks are VMfail 8, outside this module's scope). */
export interface HostState {
  cr0?: bigint;
  cr3?: bigint;
  cr4?: bigint;
  rsp?: bigint;
  rip?: bigint;
  selectors?: Partial<Record<'cs' | 'ss' | 'ds' | 'es' | 'fs' | 'gs' | 'tr', number>>;
  fsBase?: bigint;
  gsBase?: bigint;
  trBase?: bigint;
  gdtrBase?: bigint;
  idtrBase?: bigint;
  sysenterCs?: number;
  sysenterEsp?: bigint;
  sysenterEip?: bigint;
  efer?: bigint;
  pat?: bigint;
}

/** VMX capability values (Appendix A) the checks compare against. */
export interface VmxCaps {
  cr0Fixed0: bigint;
  cr0Fixed1: bigint;
  cr4Fixed0: bigint;
  cr4Fixed1: bigint;
  /** MAXPHYADDR (CPUID.80000008H:EAX[7:0]). */
  maxPhysAddr: number;
  /** Linear-address width for canonical checks: 48, or 57 with 5-level paging. */
  linearAddressWidth: number;
  /** IA32_VMX_BASIC[56]: the deliver-error-code "only if" direction of §26.2.1.3 is not enforced. */
  basicNoErrCodeCheck: boolean;
  /** IA32_VMX_MISC[30]: VM entry may inject a software event with instruction length 0. */
  zeroLengthInjection: boolean;
}

/**
 * Typical values for a current Intel CPU: CR0 must have PE, NE, PG (FIXED0 = 0x80000021); VMXE must be 1 in CR4
 * (FIXED0 = 0x2000). FIXED1 for CR4 allows every bit through FRED (bit 32) except the reserved bit 15, so a real
 * dump from a newer CPU is not failed for a feature this default does not know of.
 */
export const DEFAULT_CAPS: VmxCaps = {
  cr0Fixed0: 0x80000021n,
  cr0Fixed1: 0xffffffffn,
  cr4Fixed0: 0x2000n,
  cr4Fixed1: 0x1ffff7fffn,
  maxPhysAddr: 52,
  linearAddressWidth: 48,
  basicNoErrCodeCheck: false,
  zeroLengthInjection: false,
};

/** Everything VM entry reads: the guest-state area plus the controls. */
export interface EntryState {
  guest: GuestState;
  controls?: VmxControls;
  /** Fields a dump shows but that cannot be used (cut off, given twice, not hex), by VMCS field name → why. */
  unreadable?: Readonly<Record<string, string>>;
  /** A dump's control section has cut lines or unreadable fields: a control it lacks may have been cut away. */
  controlsCut?: boolean;
}

// Control bits (SDM §24.6.1, §24.6.2, §24.8.1).
export const PIN_VIRTUAL_NMIS = 1 << 5;
export const PROC_ACTIVATE_SECONDARY = 1 << 31;
export const PROC2_ENABLE_EPT = 1 << 1;
export const PROC2_UNRESTRICTED_GUEST = 1 << 7;
export const ENTRY_LOAD_DEBUG_CONTROLS = 1 << 2;
export const ENTRY_IA32E_MODE = 1 << 9;
export const ENTRY_SMM = 1 << 10;
export const ENTRY_LOAD_PERF_GLOBAL_CTRL = 1 << 13;
export const ENTRY_LOAD_PAT = 1 << 14;
export const ENTRY_LOAD_EFER = 1 << 15;
export const ENTRY_LOAD_BNDCFGS = 1 << 16;

/** Formats a value as 0x-prefixed hex padded to `digits` (16 when it does not fit in 32 bits). */
export function hex(v: number | bigint, digits = 8): string {
  // A value wider than 32 bits is shown as a full 64-bit quantity so its high half reads at a glance.
  return formatHex(v, typeof v === 'bigint' && BigInt.asUintN(64, v) > 0xffffffffn ? 16 : digits);
}
