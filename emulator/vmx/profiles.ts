// Hypervisor profiles: the VMCS guest state a hypervisor would enter for a live CPU state, and its verdict — enter,
// emulate (its instruction emulator runs instead, with the reason) or fail (VM entry fails, with the SDM §26.3
// checks that fail). raw = no conversion, no unrestricted guest; unrestricted = SDM with the "unrestricted guest"
// control; xen-vm86 = Xen's vm86 real-mode acceleration (vmx_set_segment_register / vmx_realmode); kvm-rmode = KVM
// without unrestricted guest (enter_rmode / fix_rmode_seg / guest_state_valid).
// Pure TypeScript: no Node or VS Code imports.
import { decodeAr, withDpl, withType } from './accessRights';
import { type CpuSnapshot, guestControls, snapshotToGuest } from './cpuSnapshot';
import { type CheckResult, type EntryReport, runEntryChecks } from './entryChecks';
import { type EntryState, type GuestState, type SegName, hex, SEGS6 } from './guestState';
import { rootCauses, type RootCause } from './rootCause';
import type { Assumptions } from './view';
import { PROFILE_NAMES, type ProfileName } from '../../protocol/launchConfig';

export { PROFILE_NAMES, type ProfileName };
export type Verdict = 'enter' | 'emulate' | 'fail';

export function isProfileName(s: string): s is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

export interface ProfileOptions {
  /** Xen: HVM_PARAM_VM86_TSS(_SIZED) is set (hvmloader sets it). Default true. */
  xenVm86Tss?: boolean;
  /** Xen: base of the VM86 TSS. */
  xenVm86TssBase?: number;
  /** KVM: the address given to KVM_SET_TSS_ADDR (QEMU uses 0xfeffd000). */
  kvmTssAddr?: number;
  /**
   * KVM module parameter emulate_invalid_guest_state (default true). When false, KVM never emulates: real-mode
   * segments are forced into vm86 shape (fix_rmode_seg) and an invalid protected-mode state goes to VM entry and fails.
   */
  kvmEmulateInvalidGuestState?: boolean;
}

export interface ProfileResult {
  profile: ProfileName;
  verdict: Verdict;
  reason: string;
  /** Failing checks when the verdict is fail. */
  failures: CheckResult[];
  /** The state the hypervisor would enter (absent when it emulates instead). */
  entered?: EntryState;
  report?: EntryReport;
  /** Conversions applied and what they hide (e.g. a limit truncated to 64 KiB in vm86). */
  notes: string[];
}

const PE = 1n, NE = 1n << 5n, PG = 1n << 31n;
const VMXE = 1n << 13n, VME = 1n;
const RFLAGS_VM = 1n << 17n, RFLAGS_IOPL = 3n << 12n;
const RMODE_TSS_SIZE = 0x68 + 32 + 65536 / 8 + 1; // KVM: TSS + interrupt redirection map + I/O bitmap + terminator

/** Every hypervisor sets CR0.NE and CR4.VMXE in the hardware registers and hides them behind the read shadows. */
function hiddenBits(g: GuestState, notes: string[]): void {
  if ((g.cr0! & NE) === 0n) notes.push('CR0.NE set in the VMCS (hidden by the CR0 read shadow), as every hypervisor does');
  g.cr0 = g.cr0! | NE;
  g.cr4 = g.cr4! | VMXE;
}

/** A TR or LDTR never loaded since reset (selector 0) holds what hypervisors program at vCPU reset. */
function resetSystemSegments(g: GuestState, notes: string[]): void {
  const tr = g.tr!;
  const t = decodeAr(tr.access!);
  if (tr.selector === 0 && (t.unusable || !t.p || (t.type !== 3 && t.type !== 11) || t.s)) {
    tr.access = 0x8b;
    if (tr.limit === 0) tr.limit = 0xffff;
    notes.push('TR not loaded since reset: entered as the busy TSS a hypervisor programs at vCPU reset (AR 0x0008b)');
  }
  const l = g.ldtr!;
  const a = decodeAr(l.access!);
  if (l.selector === 0 && !a.unusable && (a.type !== 2 || !a.p || a.s)) {
    l.access = 0x82;
    notes.push('LDTR not loaded since reset: entered as the LDT a hypervisor programs at vCPU reset (AR 0x00082)');
  }
}

/** Without unrestricted guest, Xen and KVM run a PE=1, PG=0 guest with CR0.PG=1 over an identity-mapped page table. */
function identityPaging(g: GuestState, notes: string[]): void {
  if ((g.cr0! & PG) === 0n) notes.push('CR0.PG set in the VMCS over an identity map (the guest sees PG=0)');
  g.cr0 = g.cr0! | PG;
}

function base(snap: CpuSnapshot, notes: string[]): GuestState {
  const g = snapshotToGuest(snap);
  hiddenBits(g, notes);
  resetSystemSegments(g, notes);
  return g;
}

function check(profile: ProfileName, state: EntryState, notes: string[], enterReason: string, failVerdict: Verdict = 'fail', failPrefix = ''): ProfileResult {
  const report = runEntryChecks(state);
  if (report.failures.length === 0) return { profile, verdict: 'enter', reason: enterReason, failures: [], entered: state, report, notes };
  const causes = rootCauses(state, report).map((c) => c.summary).join('; ');
  return { profile, verdict: failVerdict, reason: failPrefix + causes, failures: report.failures, entered: state, report, notes };
}

function rawProfile(snap: CpuSnapshot, unrestricted: boolean): ProfileResult {
  const notes: string[] = [];
  const state: EntryState = { guest: base(snap, notes), controls: guestControls(unrestricted) };
  return check(unrestricted ? 'unrestricted' : 'raw', state, notes, 'VM entry passes every check');
}

const realMode = (s: CpuSnapshot) => (s.cr0 & 1) === 0;
const v86Mode = (s: CpuSnapshot) => (s.eflags & (1 << 17)) !== 0;

/** Xen's per-segment test before faking a segment as vm86 data (vmx_set_segment_register). */
function xenVm86Unsafe(n: SegName, s: CpuSnapshot): string | undefined {
  const r = s.segments[n];
  const N = n.toUpperCase();
  const a = decodeAr(r.access);
  const b = r.base >>> 0;
  if (b >= 0x100000) return `${N}.base ${hex(b)} is not below 1 MiB`;
  if (b & 0xf) return `${N}.base ${hex(b)} is not a multiple of 16`;
  if ((r.limit >>> 0) < 0xffff) return `${N}.limit ${hex(r.limit)} is below 0xffff`;
  if (!a.p || a.unusable) return `${N} is not present`;
  return undefined;
}

function xenProfile(snap: CpuSnapshot, opts: ProfileOptions): ProfileResult {
  const notes: string[] = [];
  const g = base(snap, notes);
  const controls = guestControls(false);
  if (realMode(snap)) {
    if (opts.xenVm86Tss === false) {
      return { profile: 'xen-vm86', verdict: 'emulate', reason: 'no VM86 TSS (HVM_PARAM_VM86_TSS unset): Xen emulates all real-mode code', failures: [], notes };
    }
    for (const n of SEGS6) {
      const why = xenVm86Unsafe(n, snap);
      if (why) return { profile: 'xen-vm86', verdict: 'emulate', reason: `${why} — Xen emulates until ${n.toUpperCase()} is reloaded`, failures: [], notes };
    }
    for (const n of SEGS6) {
      const r = snap.segments[n];
      const b = r.base >>> 0;
      if ((r.limit >>> 0) > 0xffff) notes.push(`${n.toUpperCase()}.limit ${hex(r.limit)} becomes 0xffff in vm86: an access above 64 KiB faults and Xen emulates that instruction`);
      if (r.selector !== b >>> 4) notes.push(`${n.toUpperCase()}.selector reads as ${hex(b >>> 4, 4)} (base >> 4) in vm86 instead of ${hex(r.selector, 4)}`);
      g[n] = { selector: b >>> 4, base: BigInt(b), limit: 0xffff, access: 0xf3 };
    }
    g.tr = { selector: 0, base: BigInt((opts.xenVm86TssBase ?? 0xfc000) >>> 0), limit: 0xff, access: 0x8b };
    g.rflags = g.rflags! | RFLAGS_VM | RFLAGS_IOPL;
    g.cr0 = g.cr0! | PE | PG;
    g.cr4 = g.cr4! | VME;
    notes.push('real mode run as virtual-8086 mode: RFLAGS.VM and IOPL 3 set, CR0.PE/PG set over an identity map, CR4.VME set, TR = the VM86 TSS');
    return check('xen-vm86', { guest: g, controls }, notes, 'real mode runs in hardware as virtual-8086 mode (all six segments are vm86-safe)', 'fail',
      'Xen would enter a state that fails VM entry: ');
  }
  if (!v86Mode(snap)) {
    // Leaving the emulation loop, Xen sets the DPL of DS-GS to their RPL (vmx_realmode); PE=1 with PG=0 runs over an identity map.
    for (const n of ['ds', 'es', 'fs', 'gs'] as const) {
      const r = g[n]!;
      const a = decodeAr(r.access!);
      if (!a.unusable && a.dpl < (r.selector! & 3)) {
        r.access = withDpl(r.access!, r.selector! & 3);
        notes.push(`${n.toUpperCase()}.DPL set to its RPL ${r.selector! & 3}, as Xen does when it leaves emulation`);
      }
    }
  }
  identityPaging(g, notes);
  const cs = snap.segments.cs.selector & 3, ss = snap.segments.ss.selector & 3;
  const state: EntryState = { guest: g, controls };
  const r = check('xen-vm86', state, notes, 'VM entry passes every check');
  if (r.verdict === 'fail' && !v86Mode(snap) && (cs !== 0 || ss !== 0)) {
    const who = ss !== 0 ? `SS.selector ${hex(snap.segments.ss.selector, 4)} has RPL ${ss}` : `CS.selector ${hex(snap.segments.cs.selector, 4)} has RPL ${cs}`;
    return { ...r, verdict: 'emulate', entered: undefined, reason: `${who} — after CR0.PE is set Xen emulates until CS and SS have RPL 0 (${ss !== 0 ? 'SS' : 'CS'} is reloaded)` };
  }
  return r;
}

/** KVM's rmode_segment_valid: with DPL forced to 3 (and CS's type to 3), the segment must be exactly vm86-shaped. */
function kvmRmodeInvalid(n: SegName, g: GuestState): string | undefined {
  const r = g[n]!;
  const N = n.toUpperCase();
  let ar = withDpl(r.access!, 3);
  if (n === 'cs') ar = withType(ar, 3);
  if (r.base !== BigInt(r.selector! << 4)) return `${N}.base ${hex(r.base!)} is not ${N}.selector << 4 = ${hex(r.selector! << 4)}`;
  if (r.limit !== 0xffff) return `${N}.limit ${hex(r.limit!)} is not 0x0000ffff`;
  if (ar !== 0xf3) return `${N} access rights ${hex(r.access!, 5)} are not 0xf3 even after KVM forces DPL 3${n === 'cs' ? ' and type 3' : ''}`;
  return undefined;
}

/** KVM's protected-mode guest_state_valid (vmx.c): its approximation of SDM §26.3.1.2, with the 2009 RPL-based DPL rules. */
function kvmPmodeInvalid(g: GuestState): { seg: SegName; why: string } | undefined {
  const rpl = (n: SegName) => g[n]!.selector! & 3;
  const a = (n: SegName) => decodeAr(g[n]!.access!);
  if (rpl('cs') !== rpl('ss')) return { seg: 'ss', why: `SS.selector ${hex(g.ss!.selector!, 4)} has RPL ${rpl('ss')} but CS.selector ${hex(g.cs!.selector!, 4)} has RPL ${rpl('cs')}` };
  const cs = a('cs');
  if (cs.unusable || (cs.type & 9) !== 9 || !cs.s || !cs.p) return { seg: 'cs', why: `CS access rights ${hex(g.cs!.access!, 5)} are not an accessed, present code segment` };
  if ((cs.type & 4) ? cs.dpl > rpl('cs') : cs.dpl !== rpl('cs')) return { seg: 'cs', why: `CS.DPL ${cs.dpl} does not match CS.selector RPL ${rpl('cs')}` };
  const ss = a('ss');
  if (!ss.unusable && ((ss.type !== 3 && ss.type !== 7) || !ss.s || ss.dpl !== rpl('ss') || !ss.p)) {
    return { seg: 'ss', why: `SS access rights ${hex(g.ss!.access!, 5)} with selector ${hex(g.ss!.selector!, 4)} are not a writable present data segment with DPL = RPL` };
  }
  for (const n of ['ds', 'es', 'fs', 'gs'] as const) {
    const d = a(n);
    if (d.unusable) continue;
    if (!d.s || !d.p) return { seg: n, why: `${n.toUpperCase()} access rights ${hex(g[n]!.access!, 5)} are not a present code or data segment` };
    if ((~d.type & 0xa) !== 0 && d.dpl < rpl(n)) return { seg: n, why: `${n.toUpperCase()}.DPL ${d.dpl} is below its selector RPL ${rpl(n)}` };
  }
  const tr = a('tr');
  if (tr.unusable || (g.tr!.selector! & 4) || (tr.type !== 3 && tr.type !== 11) || !tr.p) return { seg: 'tr', why: `TR access rights ${hex(g.tr!.access!, 5)} are not a present busy TSS` };
  const l = a('ldtr');
  if (!l.unusable && ((g.ldtr!.selector! & 4) || l.type !== 2 || !l.p)) return { seg: 'ldtr', why: `LDTR access rights ${hex(g.ldtr!.access!, 5)} are not a present LDT` };
  return undefined;
}

function kvmProfile(snap: CpuSnapshot, opts: ProfileOptions): ProfileResult {
  const notes: string[] = [];
  const g = base(snap, notes);
  const controls = guestControls(false);
  const emulate = (seg: SegName, why: string): ProfileResult => ({
    profile: 'kvm-rmode', verdict: 'emulate', failures: [], notes,
    reason: `${why} — KVM emulates (emulate_invalid_guest_state) until ${seg.toUpperCase()} is reloaded`,
  });
  const emulates = opts.kvmEmulateInvalidGuestState !== false;
  if (realMode(snap) || v86Mode(snap)) {
    for (const n of SEGS6) {
      const why = kvmRmodeInvalid(n, g);
      if (!why) continue;
      if (emulates) return emulate(n, why);
      if (realMode(snap)) {
        // fix_rmode_seg without emulation: selector from the base, paragraph-aligned base, 64 KiB limit.
        const r = g[n]!;
        const b = Number(r.base!) >>> 0;
        notes.push(`${n.toUpperCase()} forced into vm86 shape (${why}): selector ${hex(b >>> 4, 4)}, base ${hex(b & 0xffff0)}, limit 0xffff — the guest's segment is silently changed`);
        g[n] = { selector: (b >>> 4) & 0xffff, base: BigInt(b & 0xffff0), limit: 0xffff, access: r.access };
      }
    }
    if (realMode(snap) || emulates) for (const n of SEGS6) g[n]!.access = 0xf3;
    if (!realMode(snap)) identityPaging(g, notes);
    if (realMode(snap)) {
      g.tr = { selector: 0, base: BigInt((opts.kvmTssAddr ?? 0xfeffd000) >>> 0), limit: RMODE_TSS_SIZE - 1, access: 0x8b };
      g.rflags = g.rflags! | RFLAGS_VM | RFLAGS_IOPL;
      g.cr0 = g.cr0! | PE | PG;
      g.cr4 = g.cr4! | VME;
      notes.push('real mode run as virtual-8086 mode (enter_rmode): DPL 3 / type 3 forced, RFLAGS.VM and IOPL 3 set, CR4.VME set, TR = the KVM_SET_TSS_ADDR TSS');
    }
    return check('kvm-rmode', { guest: g, controls }, notes, realMode(snap) ? 'real mode runs in hardware as virtual-8086 mode (all six segments pass rmode_segment_valid)' : 'VM entry passes every check');
  }
  const bad = kvmPmodeInvalid(g);
  if (bad && emulates) return emulate(bad.seg, bad.why);
  identityPaging(g, notes);
  return check('kvm-rmode', { guest: g, controls }, notes, 'VM entry passes every check');
}

/** What the profile's hypervisor would do with this CPU state. */
export function evaluateProfile(profile: ProfileName, snap: CpuSnapshot, opts: ProfileOptions = {}): ProfileResult {
  switch (profile) {
    case 'raw': return rawProfile(snap, false);
    case 'unrestricted': return rawProfile(snap, true);
    case 'xen-vm86': return xenProfile(snap, opts);
    case 'kvm-rmode': return kvmProfile(snap, opts);
  }
}

/** The `vmentry` object of `bootscope run --json` (docs/CLI.md). */
export function vmentrySummary(r: ProfileResult): { profile: string; verdict: Verdict; reason: string; failures: { id: string; section: string; field: string; message: string }[] } {
  return { profile: r.profile, verdict: r.verdict, reason: r.reason, failures: r.failures.map((f) => ({ id: f.id, section: f.section, field: f.field, message: f.message })) };
}

/** For --break-on-vmentry-failure / --break-on-emulation: the verdict has just changed to `on`. */
export function verdictBecame(prev: Verdict | undefined, next: Verdict, on: 'fail' | 'emulate'): boolean {
  return next === on && prev !== on;
}

/** How `vmcheck --profile` fills controls a dump lacks: which hardware the profile stands for. */
export function dumpAssumptions(profile: ProfileName): Assumptions {
  return { unrestrictedGuest: profile === 'unrestricted', ia32eGuest: false };
}

/**
 * What a root cause found in a dump means for the hypervisor the profile stands for (reference §4.2 rule 8, §4.3):
 * e.g. a v86-invalid VMCS under Xen's vm86 support is a Xen bug path, since Xen emulates whenever a segment is unsafe.
 */
export function dumpHints(profile: ProfileName, causes: RootCause[]): string[] {
  const ids = new Set(causes.map((c) => c.id));
  const out: string[] = [];
  if (profile === 'xen-vm86' && ids.has('v86-segments')) {
    out.push('Xen runs real mode as vm86 only after vmx_set_segment_register has made every segment vm86-safe and emulates otherwise: '
      + 'RFLAGS.VM with these segments means VM was set, or a segment written, without going through that logic (a Xen bug path)');
  }
  if (profile === 'kvm-rmode' && ids.has('v86-segments')) {
    out.push('KVM enters vm86 only when every segment passes rmode_segment_valid (else it emulates, with emulate_invalid_guest_state=1): '
      + 'a segment was changed after that decision, or emulate_invalid_guest_state=0 let an invalid segment through');
  }
  if ((profile === 'xen-vm86' || profile === 'kvm-rmode') && ids.has('real-mode-without-ug')) {
    out.push(`without unrestricted guest ${profile === 'xen-vm86' ? 'Xen' : 'KVM'} runs real mode as vm86 (CR0.PE=1, RFLAGS.VM=1) or emulates it; `
      + 'a VMCS with CR0.PE=0 means real mode was entered directly, as only the "unrestricted guest" control allows');
  }
  return out;
}
