// VMCS field table: name and encoding for the guest-state, host-state, control and exit-information
// fields that Xen and KVM dumps show (SDM Vol. 3 Appendix B). Width and group are derived from the
// encoding (Appendix B intro / §24.11.2: bits 14:13 width, bits 11:10 type), so the table cannot disagree with it.
// Pure TypeScript: no Node or VS Code imports.

export type FieldWidth = 16 | 32 | 64 | 'natural';
export type FieldGroup = 'control' | 'exit-info' | 'guest' | 'host';

export interface VmcsField {
  name: string;
  encoding: number;
  width: FieldWidth;
  group: FieldGroup;
}

const WIDTHS: FieldWidth[] = [16, 64, 32, 'natural'];
const GROUPS: FieldGroup[] = ['control', 'exit-info', 'guest', 'host'];

export function widthOf(encoding: number): FieldWidth {
  return WIDTHS[(encoding >>> 13) & 3];
}
export function groupOf(encoding: number): FieldGroup {
  return GROUPS[(encoding >>> 10) & 3];
}

const SEGS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDTR', 'TR'] as const;

// [name, encoding]; per-segment rows are generated in SDM order (ES, CS, SS, DS, FS, GS, LDTR, TR; stride 2).
const ROWS: [string, number][] = [
  // 16-bit control (B.1.1)
  ['VIRTUAL_PROCESSOR_ID', 0x0000], ['POSTED_INTR_NV', 0x0002], ['EPTP_INDEX', 0x0004],
  // 16-bit guest state (B.1.2)
  ...SEGS.map((s, i): [string, number] => [`GUEST_${s}_SELECTOR`, 0x0800 + 2 * i]),
  ['GUEST_INTR_STATUS', 0x0810], ['GUEST_PML_INDEX', 0x0812],
  // 16-bit host state (B.1.3): no LDTR in the host area.
  ...['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'TR'].map((s, i): [string, number] => [`HOST_${s}_SELECTOR`, 0x0c00 + 2 * i]),
  // 64-bit control (B.2.1)
  ['IO_BITMAP_A', 0x2000], ['IO_BITMAP_B', 0x2002], ['MSR_BITMAP', 0x2004], ['VM_EXIT_MSR_STORE_ADDR', 0x2006],
  ['VM_EXIT_MSR_LOAD_ADDR', 0x2008], ['VM_ENTRY_MSR_LOAD_ADDR', 0x200a], ['TSC_OFFSET', 0x2010],
  ['VIRTUAL_APIC_PAGE_ADDR', 0x2012], ['APIC_ACCESS_ADDR', 0x2014], ['POSTED_INTR_DESC_ADDR', 0x2016],
  ['VM_FUNCTION_CONTROL', 0x2018], ['EPT_POINTER', 0x201a], ['TSC_MULTIPLIER', 0x2032], ['TERTIARY_VM_EXEC_CONTROL', 0x2034],
  // 64-bit read-only data (B.2.2)
  ['GUEST_PHYSICAL_ADDRESS', 0x2400],
  // 64-bit guest state (B.2.3)
  ['VMCS_LINK_POINTER', 0x2800], ['GUEST_IA32_DEBUGCTL', 0x2802], ['GUEST_IA32_PAT', 0x2804], ['GUEST_IA32_EFER', 0x2806],
  ['GUEST_IA32_PERF_GLOBAL_CTRL', 0x2808], ['GUEST_PDPTE0', 0x280a], ['GUEST_PDPTE1', 0x280c], ['GUEST_PDPTE2', 0x280e],
  ['GUEST_PDPTE3', 0x2810], ['GUEST_BNDCFGS', 0x2812],
  // 64-bit host state (B.2.4)
  ['HOST_IA32_PAT', 0x2c00], ['HOST_IA32_EFER', 0x2c02], ['HOST_IA32_PERF_GLOBAL_CTRL', 0x2c04],
  // 32-bit control (B.3.1)
  ['PIN_BASED_VM_EXEC_CONTROL', 0x4000], ['CPU_BASED_VM_EXEC_CONTROL', 0x4002], ['EXCEPTION_BITMAP', 0x4004],
  ['PAGE_FAULT_ERROR_CODE_MASK', 0x4006], ['PAGE_FAULT_ERROR_CODE_MATCH', 0x4008], ['CR3_TARGET_COUNT', 0x400a],
  ['VM_EXIT_CONTROLS', 0x400c], ['VM_EXIT_MSR_STORE_COUNT', 0x400e], ['VM_EXIT_MSR_LOAD_COUNT', 0x4010],
  ['VM_ENTRY_CONTROLS', 0x4012], ['VM_ENTRY_MSR_LOAD_COUNT', 0x4014], ['VM_ENTRY_INTR_INFO_FIELD', 0x4016],
  ['VM_ENTRY_EXCEPTION_ERROR_CODE', 0x4018], ['VM_ENTRY_INSTRUCTION_LEN', 0x401a], ['TPR_THRESHOLD', 0x401c],
  ['SECONDARY_VM_EXEC_CONTROL', 0x401e], ['PLE_GAP', 0x4020], ['PLE_WINDOW', 0x4022],
  // 32-bit read-only data (B.3.2)
  ['VM_INSTRUCTION_ERROR', 0x4400], ['VM_EXIT_REASON', 0x4402], ['VM_EXIT_INTR_INFO', 0x4404],
  ['VM_EXIT_INTR_ERROR_CODE', 0x4406], ['IDT_VECTORING_INFO_FIELD', 0x4408], ['IDT_VECTORING_ERROR_CODE', 0x440a],
  ['VM_EXIT_INSTRUCTION_LEN', 0x440c], ['VMX_INSTRUCTION_INFO', 0x440e],
  // 32-bit guest state (B.3.3)
  ...SEGS.map((s, i): [string, number] => [`GUEST_${s}_LIMIT`, 0x4800 + 2 * i]),
  ['GUEST_GDTR_LIMIT', 0x4810], ['GUEST_IDTR_LIMIT', 0x4812],
  ...SEGS.map((s, i): [string, number] => [`GUEST_${s}_AR_BYTES`, 0x4814 + 2 * i]),
  ['GUEST_INTERRUPTIBILITY_INFO', 0x4824], ['GUEST_ACTIVITY_STATE', 0x4826], ['GUEST_SMBASE', 0x4828],
  ['GUEST_SYSENTER_CS', 0x482a], ['VMX_PREEMPTION_TIMER_VALUE', 0x482e],
  // 32-bit host state (B.3.4)
  ['HOST_IA32_SYSENTER_CS', 0x4c00],
  // Natural-width control (B.4.1)
  ['CR0_GUEST_HOST_MASK', 0x6000], ['CR4_GUEST_HOST_MASK', 0x6002], ['CR0_READ_SHADOW', 0x6004], ['CR4_READ_SHADOW', 0x6006],
  ['CR3_TARGET_VALUE0', 0x6008], ['CR3_TARGET_VALUE1', 0x600a], ['CR3_TARGET_VALUE2', 0x600c], ['CR3_TARGET_VALUE3', 0x600e],
  // Natural-width read-only data (B.4.2)
  ['EXIT_QUALIFICATION', 0x6400], ['GUEST_LINEAR_ADDRESS', 0x640a],
  // Natural-width guest state (B.4.3)
  ['GUEST_CR0', 0x6800], ['GUEST_CR3', 0x6802], ['GUEST_CR4', 0x6804],
  ...SEGS.map((s, i): [string, number] => [`GUEST_${s}_BASE`, 0x6806 + 2 * i]),
  ['GUEST_GDTR_BASE', 0x6816], ['GUEST_IDTR_BASE', 0x6818], ['GUEST_DR7', 0x681a], ['GUEST_RSP', 0x681c],
  ['GUEST_RIP', 0x681e], ['GUEST_RFLAGS', 0x6820], ['GUEST_PENDING_DBG_EXCEPTIONS', 0x6822],
  ['GUEST_SYSENTER_ESP', 0x6824], ['GUEST_SYSENTER_EIP', 0x6826],
  // Natural-width host state (B.4.4)
  ['HOST_CR0', 0x6c00], ['HOST_CR3', 0x6c02], ['HOST_CR4', 0x6c04], ['HOST_FS_BASE', 0x6c06], ['HOST_GS_BASE', 0x6c08],
  ['HOST_TR_BASE', 0x6c0a], ['HOST_GDTR_BASE', 0x6c0c], ['HOST_IDTR_BASE', 0x6c0e], ['HOST_IA32_SYSENTER_ESP', 0x6c10],
  ['HOST_IA32_SYSENTER_EIP', 0x6c12], ['HOST_RSP', 0x6c14], ['HOST_RIP', 0x6c16],
];

export const VMCS_FIELDS: readonly VmcsField[] = ROWS.map(([name, encoding]) => ({
  name,
  encoding,
  width: widthOf(encoding),
  group: groupOf(encoding),
}));

const BY_NAME = new Map(VMCS_FIELDS.map((f) => [f.name, f]));

/** The field called `name` (e.g. 'GUEST_CS_AR_BYTES'); throws for a name not in the table (a programming error). */
export function field(name: string): VmcsField {
  const f = BY_NAME.get(name);
  if (!f) throw new Error(`unknown VMCS field ${name}`);
  return f;
}

export function isField(name: string): boolean {
  return BY_NAME.has(name);
}
