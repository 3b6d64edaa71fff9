// Public API of the VMX module (SDM Vol. 3 ch. 24-26): the VMCS field table, the VM-entry checks and their runner,
// root causes, Xen/KVM dump parsing and the hypervisor profiles. Front ends import from here.
// Pure TypeScript: no Node or VS Code imports.
export { VMCS_FIELDS, field, isField, type VmcsField, type FieldGroup, type FieldWidth } from './fields';
export { decodeAr, encodeAr, describeAr, type AccessRights } from './accessRights';
export {
  DEFAULT_CAPS, SEG_NAMES, SEGS6, hex,
  type EntryState, type GuestState, type HostState, type SegmentState, type SegName, type VmxCaps, type VmxControls,
} from './guestState';
export {
  ENTRY_CHECKS, runEntryChecks, outcomeOf, EXIT_REASON_INVALID_GUEST_STATE,
  type CheckResult, type CheckStatus, type CheckOptions, type EntryCheck, type EntryOutcome, type EntryReport,
} from './entryChecks';
export { rootCauses, type RootCause } from './rootCause';
export { parseVmcsDump, VmcsDumpError, type VmcsDump } from './parsers/parseDump';
export { snapshotToGuest, type CpuSnapshot, type SegmentSnapshot } from './cpuSnapshot';
export {
  PROFILE_NAMES, isProfileName, evaluateProfile, vmentrySummary, verdictBecame, dumpAssumptions,
  type ProfileName, type ProfileOptions, type ProfileResult, type Verdict,
} from './profiles';
export { vmcsRows, vmcsDiff, type VmcsRow, type VmcsDifference } from './vmcsView';
export type { Assumptions } from './view';
export { guestJson, checksJson, outcomeJson, profileViewJson } from './reportJson';
export { VerdictWatch, EmulationLog, verdictKey, type WatchStep, type EmulatedInstruction } from './watch';
export { snapshotFromCpu } from './fromCpu';
export { VmentryMonitor, type MonitorOptions } from './monitor';
