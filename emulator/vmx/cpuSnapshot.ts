// The live-CPU state the hypervisor profiles start from: what a guest's architectural registers and segment caches
// hold at an instruction boundary (SDM Vol. 3 §3.4.3 hidden descriptor caches; access rights in the VMCS layout of
// §24.4.1 so the emulator's caches map one to one). Plain 32-bit numbers. Pure TypeScript: no Node or VS Code imports.
import type { EntryState, GuestState, SegmentState, SegName } from './guestState';

export interface SegmentSnapshot {
  selector: number;
  base: number;
  limit: number;
  /** Access rights in VMCS layout (bit 16 = unusable). */
  access: number;
}

export interface CpuSnapshot {
  segments: Record<SegName, SegmentSnapshot>;
  cr0: number;
  cr2?: number;
  cr3: number;
  cr4: number;
  eflags: number;
  eip: number;
  esp: number;
  gdtr: { base: number; limit: number };
  idtr: { base: number; limit: number };
  dr7?: number;
  efer?: number;
  /** Blocking by STI (bit 0) or MOV SS (bit 1) after the instruction just executed (SDM §24.4.2 Table 24-3). */
  interruptibility?: number;
  /** The CPU is halted. Informational: hypervisors intercept HLT, so entry is still in the active state. */
  halted?: boolean;
}

const SEGS: SegName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'];

function seg(s: SegmentSnapshot): SegmentState {
  return { selector: s.selector & 0xffff, base: BigInt(s.base >>> 0), limit: s.limit >>> 0, access: s.access >>> 0 };
}

/** The snapshot as VMCS guest state, as is (no hypervisor conversion). */
export function snapshotToGuest(s: CpuSnapshot): GuestState {
  const g: GuestState = {
    cr0: BigInt(s.cr0 >>> 0),
    cr3: BigInt(s.cr3 >>> 0),
    cr4: BigInt(s.cr4 >>> 0),
    dr7: BigInt((s.dr7 ?? 0x400) >>> 0),
    rsp: BigInt(s.esp >>> 0),
    rip: BigInt(s.eip >>> 0),
    rflags: BigInt(s.eflags >>> 0),
    gdtr: { base: BigInt(s.gdtr.base >>> 0), limit: s.gdtr.limit >>> 0 },
    idtr: { base: BigInt(s.idtr.base >>> 0), limit: s.idtr.limit >>> 0 },
    debugctl: 0n,
    sysenterCs: 0,
    sysenterEsp: 0n,
    sysenterEip: 0n,
    efer: BigInt((s.efer ?? 0) >>> 0),
    pat: 0x0007040600070406n,
    // Xen and KVM intercept HLT and block the vCPU in software; the next VM entry is in the active state
    // (§24.4.2), so a halted CPU is not entered with activity state HLT (which would need SS.DPL = 0 in vm86).
    activityState: 0,
    interruptibility: s.interruptibility ?? 0,
    pendingDebugExceptions: 0n,
    vmcsLinkPointer: 0xffffffffffffffffn,
  };
  for (const n of SEGS) g[n] = seg(s.segments[n]);
  return g;
}

// Control values a hypervisor programs for a 16/32-bit guest (SDM §24.6-24.8; default1 bits set, Appendix A):
// secondary controls active, EPT on, "load debug controls" on, no IA-32e mode guest, nothing injected.
export function guestControls(unrestricted: boolean): NonNullable<EntryState['controls']> {
  return {
    pinBased: 0x00000016,
    procBased: 0x8401e172 | 0,
    procBased2: unrestricted ? 0x00000082 : 0x00000002,
    entry: 0x000011ff,
    exit: 0x00036dff,
    exceptionBitmap: 0,
    entryIntrInfo: 0,
    entryErrorCode: 0,
    entryInstrLen: 0,
  };
}
