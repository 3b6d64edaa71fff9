// The live CPU state as a VMCS guest-state area, for "why would VM entry fail here?" from the
// debugger: `raw` enters the state as it is; `unrestricted` sets the unrestricted-guest and EPT
// controls. The hypervisor real-mode rewrites (xen-vm86, kvm-rmode) belong to emulator/vmx and
// are not derived here. Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §24.4, §26.3.
import type { Cpu } from '../cpu/cpu';
import { SEG_NAMES } from '../cpu/regs';
import { runEntryChecks, type EntryReport } from '../vmx/entryChecks';
import {
  PROC2_ENABLE_EPT, PROC2_UNRESTRICTED_GUEST, PROC_ACTIVATE_SECONDARY, type EntryState, type GuestState, type SegmentState,
} from '../vmx/guestState';

export type LiveProfile = 'raw' | 'unrestricted';
export const LIVE_PROFILES: readonly LiveProfile[] = ['raw', 'unrestricted'];

function seg(cpu: Cpu, i: number): SegmentState {
  return { selector: cpu.sel[i], base: BigInt(cpu.base[i] >>> 0), limit: cpu.limit[i] >>> 0, access: cpu.ar[i] >>> 0 };
}

/**
 * The guest-state area VM entry would load for the current state. CR0.NE and CR4.VMXE are set as
 * every hypervisor sets them through the guest/host masks (the guest reads its own values from the
 * read shadows, SDM Vol. 3 §25.3), so the checks judge what the guest controls.
 */
export function liveGuestState(cpu: Cpu): GuestState {
  const g: GuestState = {
    cr0: BigInt((cpu.cr0 | 0x20) >>> 0), cr3: BigInt(cpu.cr3 >>> 0), cr4: BigInt((cpu.cr4 | 0x2000) >>> 0), dr7: BigInt(cpu.dr[7] >>> 0),
    rsp: BigInt(cpu.r32[4] >>> 0), rip: BigInt(cpu.eip >>> 0), rflags: BigInt(cpu.getFlags() >>> 0),
    gdtr: { base: BigInt(cpu.gdtrBase >>> 0), limit: cpu.gdtrLimit }, idtr: { base: BigInt(cpu.idtrBase >>> 0), limit: cpu.idtrLimit },
    debugctl: 0n, efer: 0n, sysenterCs: 0, sysenterEsp: 0n, sysenterEip: 0n,
    // §24.4.2: HLT → activity state 1. The CPU keeps one shadow for STI and MOV SS: with IF=1 it is
    // reported as blocking by STI (bit 0), with IF=0 (STI cannot be the cause) as blocking by MOV SS (bit 1).
    activityState: cpu.shutdown ? 2 : cpu.halted ? 1 : 0,
    interruptibility: cpu.shadowUntil >= cpu.icount ? (cpu.flags & 0x200 ? 1 : 2) : 0,
    pendingDebugExceptions: 0n, vmcsLinkPointer: 0xffffffffffffffffn,
  };
  SEG_NAMES.forEach((name, i) => { (g as Record<string, unknown>)[name] = seg(cpu, i); });
  return g;
}

export function liveEntryState(cpu: Cpu, profile: LiveProfile): EntryState {
  const guest = liveGuestState(cpu);
  if (profile === 'raw') return { guest, controls: { pinBased: 0, procBased: 0, procBased2: 0, entry: 0, exit: 0, entryIntrInfo: 0 } };
  return {
    guest,
    controls: {
      pinBased: 0, procBased: PROC_ACTIVATE_SECONDARY, procBased2: PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_EPT,
      entry: 0, exit: 0, entryIntrInfo: 0, eptPointer: 0x1000n | 0x1en,
    },
  };
}

/** All VM-entry checks on the live state (every failure listed, none skipped for stopping early). */
export function checkLiveEntry(cpu: Cpu, profile: LiveProfile): EntryReport {
  return runEntryChecks(liveEntryState(cpu, profile));
}

/** Guest fields as name/value rows (VMCS field names), for a view. */
export function liveVmcsRows(cpu: Cpu): { name: string; value: number | string }[] {
  const g = liveGuestState(cpu);
  const rows: { name: string; value: number | string }[] = [];
  const n = (x: bigint | number | undefined) => (typeof x === 'bigint' ? (x <= 0xffffffffn ? Number(x) : `0x${x.toString(16)}`) : x ?? 0);
  rows.push({ name: 'GUEST_CR0', value: n(g.cr0) }, { name: 'GUEST_CR3', value: n(g.cr3) }, { name: 'GUEST_CR4', value: n(g.cr4) });
  rows.push({ name: 'GUEST_RSP', value: n(g.rsp) }, { name: 'GUEST_RIP', value: n(g.rip) }, { name: 'GUEST_RFLAGS', value: n(g.rflags) });
  SEG_NAMES.forEach((name) => {
    const s = (g as Record<string, SegmentState>)[name];
    const up = name.toUpperCase();
    rows.push({ name: `GUEST_${up}_SELECTOR`, value: s.selector ?? 0 }, { name: `GUEST_${up}_BASE`, value: n(s.base) },
      { name: `GUEST_${up}_LIMIT`, value: s.limit ?? 0 }, { name: `GUEST_${up}_AR_BYTES`, value: s.access ?? 0 });
  });
  rows.push({ name: 'GUEST_GDTR_BASE', value: n(g.gdtr?.base) }, { name: 'GUEST_GDTR_LIMIT', value: g.gdtr?.limit ?? 0 });
  rows.push({ name: 'GUEST_IDTR_BASE', value: n(g.idtr?.base) }, { name: 'GUEST_IDTR_LIMIT', value: g.idtr?.limit ?? 0 });
  rows.push({ name: 'GUEST_ACTIVITY_STATE', value: g.activityState ?? 0 }, { name: 'GUEST_INTERRUPTIBILITY_INFO', value: g.interruptibility ?? 0 });
  return rows;
}
