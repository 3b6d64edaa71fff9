// Read access to an EntryState for the VM-entry checks: every getter throws MissingField when the state does not
// have the value, so the runner reports the check as skipped instead of guessing. Also the derived facts the SDM's
// conditions use (v86, IA-32e mode guest, unrestricted guest, event injection; SDM Vol. 3 §26.2.1.3, §26.3.1).
// Pure TypeScript: no Node or VS Code imports.
import { type AccessRights, decodeAr } from './accessRights';
import {
  type EntryState, type GuestState, type SegName, type VmxCaps, type VmxControls,
  PROC_ACTIVATE_SECONDARY, PROC2_UNRESTRICTED_GUEST, ENTRY_IA32E_MODE,
} from './guestState';

export class MissingField {
  constructor(readonly field: string, readonly why?: string) {}
}

/** The value, or MissingField(field) thrown so the runner skips the check. */
export function need<T>(v: T | undefined, field: string, why?: string): T {
  if (v === undefined) throw new MissingField(field, why);
  return v;
}

/** Assumptions for controls a dump may lack; undefined = unknown (checks that need it skip). */
export interface Assumptions {
  unrestrictedGuest?: boolean;
  ia32eGuest?: boolean;
}

export class SegView {
  constructor(private readonly v: View, readonly name: SegName) {}
  /** 'CS', 'LDTR', ... for messages. */
  get N(): string {
    return this.name.toUpperCase();
  }
  private f(kind: string): string {
    return `GUEST_${this.N}_${kind}`;
  }
  get sel(): number {
    return need(this.v.g[this.name]?.selector, this.f('SELECTOR'));
  }
  get rpl(): number {
    return this.sel & 3;
  }
  get base(): bigint {
    return need(this.v.g[this.name]?.base, this.f('BASE'));
  }
  get limit(): number {
    return need(this.v.g[this.name]?.limit, this.f('LIMIT'));
  }
  get ar(): number {
    return need(this.v.g[this.name]?.access, this.f('AR_BYTES'));
  }
  get a(): AccessRights {
    return decodeAr(this.ar);
  }
  get usable(): boolean {
    return !this.a.unusable;
  }
}

export interface Injection {
  valid: boolean;
  vector: number;
  type: number;
  deliverErrorCode: boolean;
  raw: number;
}

export class View {
  readonly c: VmxControls;
  constructor(readonly state: EntryState, readonly caps: VmxCaps, readonly assume: Assumptions) {
    this.c = state.controls ?? {};
  }
  get g(): GuestState {
    return this.state.guest;
  }
  seg(name: SegName): SegView {
    return new SegView(this, name);
  }
  get cr0(): bigint {
    return need(this.g.cr0, 'GUEST_CR0');
  }
  get cr3(): bigint {
    return need(this.g.cr3, 'GUEST_CR3');
  }
  get cr4(): bigint {
    return need(this.g.cr4, 'GUEST_CR4');
  }
  get rflags(): bigint {
    return need(this.g.rflags, 'GUEST_RFLAGS');
  }
  get rip(): bigint {
    return need(this.g.rip, 'GUEST_RIP');
  }
  get pe(): boolean {
    return (this.cr0 & 1n) !== 0n;
  }
  /** RFLAGS.VM (bit 17): the guest will be in virtual-8086 mode. */
  get v86(): boolean {
    return ((this.rflags >> 17n) & 1n) !== 0n;
  }
  get tf(): boolean {
    return ((this.rflags >> 8n) & 1n) !== 0n;
  }
  get ifFlag(): boolean {
    return ((this.rflags >> 9n) & 1n) !== 0n;
  }
  get entry(): number {
    return need(this.c.entry, 'VM_ENTRY_CONTROLS');
  }
  /** The "IA-32e mode guest" VM-entry control (bit 9). */
  /** An assumption stands in for a control the state lacks, never for one a cut dump may have lost. */
  private assumed<T>(value: T | undefined): T | undefined {
    return this.state.controlsCut ? undefined : value;
  }
  get ia32e(): boolean {
    const assumed = this.assumed(this.assume.ia32eGuest);
    if (this.c.entry === undefined && assumed !== undefined) return assumed;
    return (this.entry & ENTRY_IA32E_MODE) !== 0;
  }
  /** The "unrestricted guest" secondary control (bit 7), effective only when primary bit 31 activates the secondary controls. */
  get ug(): boolean {
    const { procBased, procBased2 } = this.c;
    if (procBased !== undefined && (procBased & PROC_ACTIVATE_SECONDARY) === 0) return false;
    if (procBased2 === undefined) {
      const assumed = this.assumed(this.assume.unrestrictedGuest);
      if (assumed !== undefined) return assumed;
      throw new MissingField('SECONDARY_VM_EXEC_CONTROL', 'unrestricted guest');
    }
    if (procBased === undefined && this.assumed(this.assume.unrestrictedGuest) === undefined
      && (procBased2 & PROC2_UNRESTRICTED_GUEST) !== 0) {
      throw new MissingField('CPU_BASED_VM_EXEC_CONTROL', 'whether the secondary controls are active');
    }
    return (procBased2 & PROC2_UNRESTRICTED_GUEST) !== 0;
  }
  get injection(): Injection {
    const raw = need(this.c.entryIntrInfo, 'VM_ENTRY_INTR_INFO_FIELD') >>> 0;
    return { valid: (raw >>> 31) === 1, vector: raw & 0xff, type: (raw >>> 8) & 7, deliverErrorCode: ((raw >>> 11) & 1) === 1, raw };
  }
  get interruptibility(): number {
    return need(this.g.interruptibility, 'GUEST_INTERRUPTIBILITY_INFO');
  }
  get activity(): number {
    return need(this.g.activityState, 'GUEST_ACTIVITY_STATE');
  }
}

/** Bits 63:n-1 all equal (SDM Vol. 1 §3.3.7.1). */
export function isCanonical(x: bigint, width: number): boolean {
  const top = BigInt.asUintN(64, x) >> BigInt(width - 1);
  return top === 0n || top === (1n << BigInt(65 - width)) - 1n;
}
