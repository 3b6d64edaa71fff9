// Test states for the VM-entry checks: a flat 32-bit ring-0 protected-mode guest, a virtual-8086 guest and an
// unrestricted-guest real-mode guest, each passing every check (values as a hypervisor would program them).
import type { EntryState, SegmentState } from '../../emulator/vmx/guestState';

const seg = (selector: number, base: bigint, limit: number, access: number): SegmentState => ({ selector, base, limit, access });

export const CONTROLS_PM = {
  pinBased: 0x0000003f,
  procBased: 0xb5986dfa | 0,
  procBased2: 0x000000aa, // EPT, unrestricted guest off? bit 7 = 1 → set per state below
  entry: 0x000011ff,
  exit: 0x00036fff,
  exceptionBitmap: 0,
  entryIntrInfo: 0,
  entryErrorCode: 0,
  entryInstrLen: 0,
};

/** Flat 32-bit ring-0 protected mode with paging, no unrestricted guest: passes every check. */
export function protectedMode(): EntryState {
  return {
    guest: {
      cr0: 0x80050031n, cr3: 0x109000n, cr4: 0x2010n, dr7: 0x400n,
      rsp: 0x9fc00n, rip: 0x101a3cn, rflags: 0x202n,
      cs: seg(0x08, 0n, 0xffffffff, 0xc09b),
      ss: seg(0x10, 0n, 0xffffffff, 0xc093),
      ds: seg(0x10, 0n, 0xffffffff, 0xc093),
      es: seg(0x10, 0n, 0xffffffff, 0xc093),
      fs: seg(0, 0n, 0xffffffff, 0x1c000),
      gs: seg(0, 0n, 0xffffffff, 0x1c000),
      ldtr: seg(0, 0n, 0xffffffff, 0x1c000),
      tr: seg(0x18, 0x100900n, 0x67, 0x8b),
      gdtr: { base: 0x100800n, limit: 0x27 },
      idtr: { base: 0x100000n, limit: 0x7ff },
      debugctl: 0n, sysenterCs: 0, sysenterEsp: 0n, sysenterEip: 0n,
      efer: 0n, pat: 0x0007040600070406n,
      activityState: 0, interruptibility: 0, pendingDebugExceptions: 0n,
      vmcsLinkPointer: 0xffffffffffffffffn,
      pdpte: [0n, 0n, 0n, 0n],
    },
    controls: { ...CONTROLS_PM, procBased2: 0x0000002a, entry: 0x000011fb },
  };
}

/** Real-mode code run as virtual-8086 mode (Xen/KVM without unrestricted guest): passes every check. */
export function v86(): EntryState {
  const s = protectedMode();
  const rm = (sel: number) => seg(sel, BigInt(sel << 4), 0xffff, 0xf3);
  s.guest = {
    ...s.guest,
    cr0: 0x80000031n, cr4: 0x2001n, rflags: 0x23202n, rip: 0x7c00n, rsp: 0x7bf0n,
    cs: rm(0), ss: rm(0), ds: rm(0x07c0), es: rm(0xb800), fs: rm(0), gs: rm(0),
    ldtr: seg(0, 0n, 0xffff, 0x82),
    tr: seg(0, 0xfeffd000n, 0x2088, 0x8b),
  };
  return s;
}

/** Real mode entered directly with the unrestricted-guest control (CR0.PE=0, PG=0): passes every check. */
export function unrestrictedReal(): EntryState {
  const s = protectedMode();
  const rm = (sel: number, ar = 0x93) => seg(sel, BigInt(sel << 4), 0xffff, ar);
  s.guest = {
    ...s.guest,
    cr0: 0x30n, cr4: 0x2000n, rflags: 0x2n, rip: 0x7c00n, rsp: 0x7bf0n,
    cs: rm(0, 0x9b), ss: rm(0), ds: rm(0), es: rm(0), fs: rm(0), gs: rm(0),
    ldtr: seg(0, 0n, 0xffff, 0x82),
    tr: seg(0, 0n, 0xffff, 0x8b),
  };
  s.controls = { ...s.controls, procBased2: 0x000000aa };
  return s;
}

/** Deep copy (bigint-safe) so a test can mutate freely. */
export function clone(s: EntryState): EntryState {
  return structuredClone(s);
}
