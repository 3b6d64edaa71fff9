// Every custom DAP request of the bootscope adapter, typed in one place (the js-debug dapCustom idea): the
// request names as one const enum and one [arguments, response] pair per request, for the extension's panels,
// its status bar and any other DAP client. Types and constants only: no runtime dependencies, no 'vscode', no
// Node. Numbers are plain numbers; addresses linear unless named otherwise. SDM Vol. 3 §3.4.5, §6.11, §7.2
// (descriptors, gates, TSS), §26.2–26.3 (VM-entry checks).
import type { ProfileName } from './launchConfig';

export type { ProfileName } from './launchConfig';
export { PROFILE_NAMES } from './launchConfig';

export const enum CustomRequest {
  Status = 'bootscope/status',
  /** Every table in force with what the segment caches hold and what changed (the Descriptor Tables panel). */
  ReadDescriptorTables = 'bootscope/readDescriptorTables',
  /** One table: GDT, LDT or the interrupt table in force (IVT in real mode, IDT in protected mode). */
  ReadDescriptorTable = 'bootscope/readDescriptorTable',
  /** The task-state segment TR points at. */
  ReadTss = 'bootscope/readTss',
  ReadVmcs = 'bootscope/readVmcs',
  CheckVmEntry = 'bootscope/checkVmEntry',
  FindCheckFailureStart = 'bootscope/findCheckFailureStart',
  ReadScreen = 'bootscope/readScreen',
  /** Queues keystrokes for the keyboard controller (the Screen panel, the console, other clients). */
  TypeKeys = 'bootscope/typeKeys',
  ReadTimeline = 'bootscope/readTimeline',
  GotoInstruction = 'bootscope/gotoInstruction',
  /** The virtual disassembly document (a DAP source) holding SSSS:OOOO, for a gate's target. */
  DisassemblySource = 'bootscope/disassemblySource',
  /** The fault chain of the last exception delivery that faulted, link by link with its rule (the Fault panel). */
  ReadFault = 'bootscope/readFault',
  /** "Find the write that broke it": back to the last write of a link's entry or the last change of its register. */
  FindFaultWrite = 'bootscope/findFaultWrite',
  /** The last lock-step comparison with QEMU (launch `compareWith`): the Compare panel. */
  ReadCompare = 'bootscope/readCompare',
  /** Runs the lock-step comparison again from 0000:7C00 on the history as it is now (edits included). */
  CompareAgain = 'bootscope/compareAgain',
}

export type CpuMode = 'real' | 'pm16' | 'pm32' | 'vm86' | 'unreal';
export type Verdict = 'enter' | 'emulate' | 'fail';
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface SegmentCache {
  selector: number;
  base: number;
  limit: number;
  /** Access rights in VMCS layout (type, S, DPL, P in bits 0–7; AVL, L, D/B, G in 12–15; bit 16 unusable). */
  access: number;
}

// ---- bootscope/status -------------------------------------------------------------------------------------
export interface StatusArguments {}
export interface StatusResponse {
  mode: CpuMode;
  cs: number;
  eip: number;
  /** Instructions executed since 0000:7C00; absent when attached to QEMU (its count is not known). */
  instructions?: number;
  running: boolean;
}

// ---- bootscope/readDescriptorTables (the panel) and bootscope/readDescriptorTable (one table) -----------------
/** 'ivt': the interrupt table in real mode (bootscope/readDescriptorTable; the panel folds 'idt' into it). */
export type DescriptorTableName = 'gdt' | 'ldt' | 'idt' | 'ivt';
export interface DescriptorTablesArguments {}
export interface ReadDescriptorTableArguments {
  table: 'gdt' | 'ldt' | 'idt';
  /** At most this many entries (default: the whole table). */
  max?: number;
}
export interface DescriptorEntry {
  index: number;
  /** Selector for GDT/LDT entries (index << 3 | TI), vector number for the IDT. */
  selector: number;
  /** Linear address of the 8-byte entry (click → memory inspector). */
  linear: number;
  raw: [number, number] | number[];
  /** Decoded: "32-bit code", "16-bit busy TSS", "386 interrupt gate", … */
  type: string;
  base?: number;
  limit?: number;
  /** Segments and system descriptors: access rights in VMCS layout (type, S, DPL, P, AVL, L, D/B, G). */
  access?: number;
  dpl: number;
  present: boolean;
  /** D/B (true = 32-bit) and G, for segments. */
  db?: boolean;
  g?: boolean;
  /** Gates: target selector:offset (click → its disassembly document). */
  gate?: { selector: number; offset: number };
  /** One line: "32-bit busy TSS, limit 0x67" / "not present: loading it would raise #NP(0x0058)". */
  explain: string;
  /** Segment registers whose cached descriptor came from this entry ("CS", "SS", "TR", "LDTR", …). */
  cachedBy?: string[];
  /** True when the entry's bytes differ from the previous stop. */
  changed?: boolean;
}
export interface DescriptorTable {
  name: DescriptorTableName;
  base: number;
  limit: number;
  entries: DescriptorEntry[];
  /** Why entries are missing ("real mode: not in use", "12 empty entries not shown"); set by the extension. */
  note?: string;
}
export interface ReadTssArguments {}
export interface TssState {
  selector: number;
  base: number;
  limit: number;
  /** '16' or '32' bit TSS. */
  width: 16 | 32;
  /** Ring stacks SS0:ESP0 … SS2:ESP2. */
  stacks: { ring: 0 | 1 | 2; ss: number; esp: number }[];
  ioMapBase?: number;
  /** Other fields by name (CR3, EIP, EFLAGS, selectors, backlink …). */
  fields: { name: string; value: number }[];
}
export interface DescriptorTablesResponse {
  mode: CpuMode;
  segments: Partial<Record<'cs' | 'ds' | 'es' | 'ss' | 'fs' | 'gs' | 'ldtr' | 'tr', SegmentCache>>;
  tables: DescriptorTable[];
  tss?: TssState;
}

// ---- bootscope/readVmcs and bootscope/checkVmEntry ---------------------------------------------------------
export interface VmcsArguments {
  profile: ProfileName;
}
export interface VmcsRow {
  name: string;
  encoding: number;
  width: string;
  /** SDM grouping: 'guest' rows carry sub-groups via `group` ("control registers", "segment registers", …). */
  group: string;
  value?: number;
  changed?: boolean;
}
export interface ReadVmcsResponse {
  profile: ProfileName;
  rows: VmcsRow[];
}
export interface CheckRow {
  id: string;
  section: string;
  field: string;
  status: CheckStatus;
  message: string;
}
export interface RootCause {
  id: string;
  summary: string;
  checks: string[];
}
export interface CheckVmEntryResponse {
  profile: ProfileName;
  verdict: Verdict;
  reason?: string;
  notes?: string[];
  checks: CheckRow[];
  rootCauses?: RootCause[];
}
export interface FindCheckFailureStartArguments {
  profile: ProfileName;
  checkId: string;
}
/** The adapter reverse-continues and then sends a `stopped` event; the response says where. */
export interface FindCheckFailureStartResponse {
  found: boolean;
  instruction?: number;
  message?: string;
}

// ---- bootscope/readScreen and bootscope/typeKeys -----------------------------------------------------------
export interface ScreenArguments {}
export interface ScreenResponse {
  columns: number;
  rows: number;
  /** One string per row (CP437 already mapped to Unicode). */
  text: string[];
  /** One attribute byte per cell, row-major (low nibble fg, high nibble bg). */
  attributes: number[];
  cursor: { row: number; column: number; visible: boolean };
  /**
   * While a VBE graphics mode is on: the picture, as a base64 PNG (the text fields then hold the VGA text
   * memory); attached to QEMU, in any graphics mode, QEMU's screendump (no bpp, no text).
   */
  graphics?: { width: number; height: number; bpp?: number; png: string };
}
export interface TypeKeysArguments {
  /** Text to type; "\n" is Enter (see emulator/devices/keyboard.ts for escapes). */
  text: string;
}

// ---- bootscope/readTimeline and bootscope/gotoInstruction -------------------------------------------------
export interface TimelineArguments {
  profile: ProfileName;
  /** A window of the recording to draw (zoom); absent: the whole recording. Clamped to what is recorded. */
  from?: number;
  to?: number;
}
export type TimelineEventKind = 'bios' | 'exception' | 'interrupt' | 'breakpoint';
export interface TimelineSpan<T extends string> {
  from: number;
  to: number;
  value: T;
}
export interface TimelineEvent {
  at: number;
  kind: TimelineEventKind;
  /** "INT 13h AH=02h at 0000:7C20", "#GP general protection at 0008:1234", … */
  label: string;
  /** Events of this kind drawn as this one tick (a long run has more than a strip has pixels). */
  count?: number;
}
export interface TimelineResponse {
  /** The instruction range drawn (the window asked for, or the whole recording). */
  first: number;
  last: number;
  /** The whole recorded range. */
  recordedFirst: number;
  recordedLast: number;
  current: number;
  modes: TimelineSpan<CpuMode>[];
  verdicts: TimelineSpan<Verdict>[];
  events: TimelineEvent[];
  /** The breakpoint row holds only the first hits (a breakpoint in a hot loop hits at every iteration). */
  breakpointHitsCapped?: boolean;
  /** Still being built (a long recording takes several requests): instructions replayed of those to replay. */
  building?: { done: number; total: number };
}
export interface GotoInstructionArguments {
  instruction: number;
}

/** A code address as a selector (a paragraph in real mode and vm86) and an offset. */
export interface DisassemblySourceArguments {
  selector: number;
  offset: number;
}
export interface DisassemblySourceResponse {
  /** A DAP source (its document: debug:<name>?session=<id>&ref=<sourceReference>). */
  source: { name: string; sourceReference: number };
  /** 1-based line of the address. */
  line: number;
}

// ---- bootscope/readFault and bootscope/findFaultWrite ------------------------------------------------------
export interface ReadFaultArguments {}
/** What a link's rule looked at: the bytes of a table entry, TSS field or page-table entry, or a register. */
export interface FaultSubject {
  kind: 'memory' | 'register';
  /** "GDT entry 1 (selector 0x0008): the handler's code segment", "IDTR.base", … */
  label: string;
  /** memory: the bytes' linear address (click → memory) and length; physical: what the write search watches. */
  linear?: number;
  physical?: number;
  length?: number;
  /** A descriptor-table entry: its table and index (click → Descriptor Tables). */
  table?: 'gdt' | 'ldt' | 'idt' | 'ivt';
  index?: number;
  /** register: the register or field `last change` takes (ss, esp, idtr.base, cr3, …). */
  field?: string;
}
export interface FaultLinkView {
  vector: number;
  /** "#DE divide error", "INT 0x30", "IRQ vector 0x08". */
  name: string;
  kind: 'exception' | 'int' | 'irq';
  /** -1 when the event has none. */
  errorCode: number;
  /** The error code decoded: "EXT=1 IDT=0 TI=0 index 1 (selector 0x0008)", "P=0 W/R=1 U/S=0 …". */
  errorCodeText?: string;
  cs: number;
  eip: number;
  /** Why the instruction raised this event, when a rule says (the first link). */
  cause?: { id: string; section: string; text: string; explanation: string };
  /** Why delivering this event faulted; absent for a last link that was delivered. */
  rule?: { id: string; section: string; text: string; explanation: string };
  raised?: { vector: number; name: string; errorCode: number };
  /** How the CPU went on: DF.CONTRIBUTORY, DF.PAGE_FAULT, SHUTDOWN. */
  then?: { id: string; section: string; explanation: string };
  /** What the rule looked at, most likely culprit first; each can be searched back to its last write or change. */
  subjects: FaultSubject[];
}
export interface ReadFaultResponse {
  /** The instruction count at which the chain was seen (a stop); absent when there is no chain. */
  instruction?: number;
  /** False when the CPU has moved since (time travel, stepping): the chain is the one seen at `instruction`. */
  current: boolean;
  /** "#DE → #DF → shutdown". */
  path?: string;
  tripleFault: boolean;
  links: FaultLinkView[];
  /** Why there is no chain ("no exception yet"). */
  message?: string;
}
export interface FindFaultWriteArguments {
  /** 0-based indexes into ReadFaultResponse.links and that link's subjects. */
  link: number;
  subject: number;
}
/** The adapter travels back from the fault (a `stopped` event follows); the response says where. */
export interface FindFaultWriteResponse {
  found: boolean;
  instruction?: number;
  message: string;
}
// ---- bootscope/readCompare and bootscope/compareAgain -------------------------------------------------------
export interface ReadCompareArguments {}
/** One register of both states before the diverging instruction (emulator/record/divergenceReport.ts). */
export interface CompareStateRow {
  /** `cs:eip` or a register name. */
  name: string;
  ours: string;
  qemu: string;
  /** `differs`: the divergence; `excused`: differs, but a rule (undefined flags, BIOS data) excuses it. */
  mark: 'same' | 'differs' | 'excused';
}
/** An instruction of the comparison: its index among the compared ones (0 = the first 0000:7C00). */
export interface CompareInstruction {
  index: number;
  /** `CS:EIP lin=…`. */
  where: string;
  /** NASM syntax (empty when its bytes do not decode). */
  text: string;
  /** Bootscope's instruction count there (for bootscope/gotoInstruction). */
  instruction: number;
}
export interface ReadCompareResponse {
  /** What the panel shows: no comparison in this session, one running, none run yet, or how the last ended (QEMU failing: `failed`). */
  state: 'unavailable' | 'idle' | 'running' | 'diverged' | 'agreed' | 'failed';
  /** One line: why unavailable, or how the last run ended. */
  summary: string;
  /** The reference machine: `qemu-system-i386 (tcg)`. */
  reference?: string;
  /** A divergence: both states, the instruction both executed, the agreeing ones before it (oldest first). */
  rows?: CompareStateRow[];
  instruction?: CompareInstruction & { qemuWhere: string; controlFlow: boolean };
  history?: CompareInstruction[];
  /** What the rules skipped, dropped and excused (resyncs, QEMU records dropped, undefined flags). */
  rules?: string[];
}
export interface CompareAgainArguments {}
/** The DAP stop reason of a lock-step divergence (the extension opens the Compare panel on it). */
export const DIVERGED_FROM_QEMU = 'diverged from QEMU';

/** Request → [arguments, response], for the extension's typed sender and the adapter's handler map. */
export interface CustomRequests {
  [CustomRequest.Status]: [StatusArguments, StatusResponse];
  [CustomRequest.ReadDescriptorTables]: [DescriptorTablesArguments, DescriptorTablesResponse];
  [CustomRequest.ReadDescriptorTable]: [ReadDescriptorTableArguments, DescriptorTable];
  [CustomRequest.ReadTss]: [ReadTssArguments, TssState];
  [CustomRequest.ReadVmcs]: [VmcsArguments, ReadVmcsResponse];
  [CustomRequest.CheckVmEntry]: [VmcsArguments, CheckVmEntryResponse];
  [CustomRequest.FindCheckFailureStart]: [FindCheckFailureStartArguments, FindCheckFailureStartResponse];
  [CustomRequest.ReadScreen]: [ScreenArguments, ScreenResponse];
  [CustomRequest.TypeKeys]: [TypeKeysArguments, Record<string, never>];
  [CustomRequest.ReadTimeline]: [TimelineArguments, TimelineResponse];
  [CustomRequest.GotoInstruction]: [GotoInstructionArguments, Record<string, never>];
  [CustomRequest.DisassemblySource]: [DisassemblySourceArguments, DisassemblySourceResponse];
  [CustomRequest.ReadFault]: [ReadFaultArguments, ReadFaultResponse];
  [CustomRequest.FindFaultWrite]: [FindFaultWriteArguments, FindFaultWriteResponse];
  [CustomRequest.ReadCompare]: [ReadCompareArguments, ReadCompareResponse];
  [CustomRequest.CompareAgain]: [CompareAgainArguments, Record<string, never>];
}
