// The VMCS as rows of the field table (SDM Vol. 3 Appendix B) with the values a state holds: what the VMCS panel and
// the DAP custom request show, generated from fields.ts so names and encodings come from one place.
// Pure TypeScript: no Node or VS Code imports.
import { VMCS_FIELDS, type VmcsField } from './fields';
import type { EntryState, GuestState, HostState, SegName, VmxControls } from './guestState';

export interface VmcsRow extends VmcsField {
  value?: bigint;
}

const big = (v: bigint | number | undefined) => (v === undefined ? undefined : BigInt(v));

function guestValue(name: string, g: GuestState): bigint | undefined {
  const seg = /^GUEST_(ES|CS|SS|DS|FS|GS|LDTR|TR)_(SELECTOR|BASE|LIMIT|AR_BYTES)$/.exec(name);
  if (seg) {
    const s = g[seg[1].toLowerCase() as SegName];
    const k = { SELECTOR: 'selector', BASE: 'base', LIMIT: 'limit', AR_BYTES: 'access' }[seg[2]] as 'selector' | 'base' | 'limit' | 'access';
    return big(s?.[k]);
  }
  const dt = /^GUEST_(GDTR|IDTR)_(BASE|LIMIT)$/.exec(name);
  if (dt) return big(g[dt[1].toLowerCase() as 'gdtr' | 'idtr']?.[dt[2] === 'BASE' ? 'base' : 'limit']);
  const pdpte = /^GUEST_PDPTE([0-3])$/.exec(name);
  if (pdpte) return g.pdpte?.[Number(pdpte[1])];
  const map: Record<string, bigint | number | undefined> = {
    GUEST_CR0: g.cr0, GUEST_CR3: g.cr3, GUEST_CR4: g.cr4, GUEST_DR7: g.dr7, GUEST_RSP: g.rsp, GUEST_RIP: g.rip,
    GUEST_RFLAGS: g.rflags, GUEST_PENDING_DBG_EXCEPTIONS: g.pendingDebugExceptions, GUEST_SYSENTER_ESP: g.sysenterEsp,
    GUEST_SYSENTER_EIP: g.sysenterEip, GUEST_SYSENTER_CS: g.sysenterCs, VMCS_LINK_POINTER: g.vmcsLinkPointer,
    GUEST_IA32_DEBUGCTL: g.debugctl, GUEST_IA32_PAT: g.pat, GUEST_IA32_EFER: g.efer, GUEST_IA32_PERF_GLOBAL_CTRL: g.perfGlobalCtrl,
    GUEST_BNDCFGS: g.bndcfgs, GUEST_INTERRUPTIBILITY_INFO: g.interruptibility, GUEST_ACTIVITY_STATE: g.activityState,
    GUEST_SMBASE: g.smbase,
  };
  return big(map[name]);
}

function controlValue(name: string, c: VmxControls): bigint | undefined {
  const map: Record<string, bigint | number | undefined> = {
    PIN_BASED_VM_EXEC_CONTROL: c.pinBased, CPU_BASED_VM_EXEC_CONTROL: c.procBased, SECONDARY_VM_EXEC_CONTROL: c.procBased2,
    VM_ENTRY_CONTROLS: c.entry, VM_EXIT_CONTROLS: c.exit, EXCEPTION_BITMAP: c.exceptionBitmap,
    VM_ENTRY_INTR_INFO_FIELD: c.entryIntrInfo, VM_ENTRY_EXCEPTION_ERROR_CODE: c.entryErrorCode,
    VM_ENTRY_INSTRUCTION_LEN: c.entryInstrLen, EPT_POINTER: c.eptPointer,
  };
  const v = map[name];
  return v === undefined ? undefined : typeof v === 'bigint' ? v : BigInt(v >>> 0);
}

function hostValue(name: string, h: HostState): bigint | undefined {
  const sel = /^HOST_(ES|CS|SS|DS|FS|GS|TR)_SELECTOR$/.exec(name);
  if (sel) return big(h.selectors?.[sel[1].toLowerCase() as 'cs']);
  const map: Record<string, bigint | number | undefined> = {
    HOST_CR0: h.cr0, HOST_CR3: h.cr3, HOST_CR4: h.cr4, HOST_RSP: h.rsp, HOST_RIP: h.rip, HOST_FS_BASE: h.fsBase,
    HOST_GS_BASE: h.gsBase, HOST_TR_BASE: h.trBase, HOST_GDTR_BASE: h.gdtrBase, HOST_IDTR_BASE: h.idtrBase,
    HOST_IA32_SYSENTER_CS: h.sysenterCs, HOST_IA32_SYSENTER_ESP: h.sysenterEsp, HOST_IA32_SYSENTER_EIP: h.sysenterEip,
    HOST_IA32_EFER: h.efer, HOST_IA32_PAT: h.pat,
  };
  return big(map[name]);
}

/** Every field of the table, in table order, with its value where the state has one. */
export function vmcsRows(state: EntryState & { host?: HostState }): VmcsRow[] {
  return VMCS_FIELDS.map((f) => {
    const value = f.group === 'guest' ? guestValue(f.name, state.guest)
      : f.group === 'control' ? controlValue(f.name, state.controls ?? {})
        : f.group === 'host' && state.host ? hostValue(f.name, state.host) : undefined;
    return value === undefined ? { ...f } : { ...f, value };
  });
}

export interface VmcsDifference {
  name: string;
  encoding: number;
  group: VmcsField['group'];
  left?: bigint;
  right?: bigint;
}

/**
 * Fields whose values differ between two VMCS states (e.g. the live guest under a profile and a pasted dump, for
 * "Compare with VMCS Dump"). A field known on one side only is a difference unless `onlyBoth` is set.
 */
export function vmcsDiff(left: EntryState & { host?: HostState }, right: EntryState & { host?: HostState }, onlyBoth = true): VmcsDifference[] {
  const a = vmcsRows(left), b = vmcsRows(right);
  const out: VmcsDifference[] = [];
  a.forEach((ra, i) => {
    const rb = b[i];
    if (ra.value === rb.value) return;
    if (onlyBoth && (ra.value === undefined || rb.value === undefined)) return;
    out.push({ name: ra.name, encoding: ra.encoding, group: ra.group, left: ra.value, right: rb.value });
  });
  return out;
}
