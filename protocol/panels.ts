// The extension panels' side of the protocol (Descriptor Tables, VMCS, VM Entry Checks, Screen, Timeline, status
// bar): the custom DAP requests the panels need beyond protocol/customRequests.ts (which the adapter serves), the
// view models the panels render, and the webview ⇄ extension messages. Types and constants only: no imports, no
// 'vscode', no Node. Numbers are plain numbers; addresses linear unless named otherwise. SDM Vol. 3 §3.4.5, §6.11,
// §7.2 (descriptors, gates, TSS), §26.2–26.3 (VM-entry checks).

/** Custom requests the panels send that the adapter does not serve yet (each panel says so when it gets an error). */
export const enum PanelRequest {
  Status = 'bootscope/status',
  FindCheckFailureStart = 'bootscope/findCheckFailureStart',
  ReadTimeline = 'bootscope/readTimeline',
  GotoInstruction = 'bootscope/gotoInstruction',
}

export type CpuMode = 'real' | 'pm16' | 'pm32' | 'vm86' | 'unreal';
export type ProfileName = 'raw' | 'unrestricted' | 'xen-vm86' | 'kvm-rmode';
export const PROFILE_NAMES: readonly ProfileName[] = ['raw', 'unrestricted', 'xen-vm86', 'kvm-rmode'];
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
  /** Instructions executed since 0000:7C00. */
  instructions: number;
  running: boolean;
}

// ---- Descriptor Tables view model (built from bootscope/readDescriptorTable ×3 + bootscope/readTss) ----------
export type DescriptorTableName = 'gdt' | 'ldt' | 'idt' | 'ivt';
export interface DescriptorRow {
  index: number;
  /** Selector for GDT/LDT entries (index << 3 | TI), vector number for the IDT. */
  selector: number;
  /** Linear address of the 8-byte entry (click → memory inspector). */
  linear: number;
  raw: number[];
  /** Decoded: "32-bit code", "16-bit busy TSS", "386 interrupt gate", … */
  type: string;
  base?: number;
  limit?: number;
  dpl: number;
  present: boolean;
  /** D/B (true = 32-bit) and G, for segments. */
  db?: boolean;
  g?: boolean;
  /** Gates: target selector:offset and its linear address (click → disassembly). */
  gate?: { selector: number; offset: number; linear?: number };
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
  entries: DescriptorRow[];
  /** Why entries are missing or what to know about the table ("real mode: not in use", "12 empty entries not shown"). */
  note?: string;
}
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
export interface DescriptorTablesView {
  mode: CpuMode;
  segments: Partial<Record<'cs' | 'ds' | 'es' | 'ss' | 'fs' | 'gs' | 'ldtr' | 'tr', SegmentCache>>;
  tables: DescriptorTable[];
  tss?: TssState;
}

// ---- VMCS and VM Entry Checks view models ----------------------------------------------------------------------
/** Arguments of bootscope/readVmcs and bootscope/checkVmEntry as the panels send them. */
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
/** What the VM Entry Checks panel wants from bootscope/checkVmEntry: the adapter's `{verdict, failures}` plus every
 *  check (pass/fail/skip) and the root causes, as emulator/vmx/reportJson.ts profileViewJson() produces them. */
export interface CheckVmEntryFull {
  profile?: ProfileName;
  verdict: Verdict;
  reason?: string;
  notes?: string[];
  checks?: CheckRow[];
  failures?: { id: string; section: string; field: string; message: string }[];
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

// ---- Screen view model (from bootscope/readScreen; attributes when the adapter adds them) -------------------
export interface ScreenView {
  columns: number;
  rows: number;
  /** One string per row (CP437 already mapped to Unicode). */
  text: string[];
  /** One attribute byte per cell, row-major (low nibble fg, high nibble bg). Optional: plain text without it. */
  attributes?: number[];
  cursor?: { row: number; column: number; visible: boolean };
}

// ---- bootscope/readTimeline and bootscope/gotoInstruction -------------------------------------------------
export interface TimelineArguments {
  profile: ProfileName;
}
export type TimelineEventKind = 'bios' | 'exception' | 'interrupt' | 'breakpoint' | 'other';
export interface TimelineSpan<T extends string> {
  from: number;
  to: number;
  value: T;
}
export interface TimelineEvent {
  at: number;
  kind: TimelineEventKind;
  /** "INT 13h AH=02h", "#GP(0x0010)", … */
  label: string;
}
export interface TimelineResponse {
  /** Recorded instruction range. */
  first: number;
  last: number;
  current: number;
  modes: TimelineSpan<CpuMode>[];
  verdicts: TimelineSpan<Verdict>[];
  events: TimelineEvent[];
}
export interface GotoInstructionArguments {
  instruction: number;
}

/** Request → [arguments, response] map for the typed `customRequest` wrapper. */
export interface PanelRequests {
  [PanelRequest.Status]: [StatusArguments, StatusResponse];
  [PanelRequest.FindCheckFailureStart]: [FindCheckFailureStartArguments, FindCheckFailureStartResponse];
  [PanelRequest.ReadTimeline]: [TimelineArguments, TimelineResponse];
  [PanelRequest.GotoInstruction]: [GotoInstructionArguments, {}];
}

// ---- `bootscope vmcheck --json` (CLI.md), as the dump commands read it -----------------------------------
export interface VmcheckJson {
  source: 'xen' | 'kvm';
  format?: string;
  profile: ProfileName;
  verdict: 'pass' | 'fail';
  checks: CheckRow[];
  rootCauses?: RootCause[];
  hints?: string[];
  warnings?: string[];
  guest: Record<string, SegmentCache | { base: number; limit: number } | number | undefined>;
}

// ---- webview ⇄ extension messages ---------------------------------------------------------------------------
/** Messages a panel's webview posts to the extension. */
export type FromWebview =
  | { type: 'setProfile'; profile: ProfileName }
  | { type: 'openMemory'; address: number }
  | { type: 'disassemble'; address: number }
  | { type: 'findFailureStart'; checkId: string }
  | { type: 'travel'; instruction: number }
  | { type: 'keys'; text: string }
  | { type: 'showDumpAsVmcs' }
  | { type: 'refresh' };

/** Inline-adapter contract: what `require(dist/debugAdapter.js)` may export so the extension runs it in-process:
 *  createSession() (preferred: a @vscode/debugadapter session with handleMessage/onDidSendMessage/dispose), or
 *  runServer(0) (debug-adapter/main.ts today: a TCP server on 127.0.0.1 inside the extension host). */
export interface InlineAdapterModule {
  createSession?(): unknown;
  runServer?(port: number): Promise<{ address(): unknown; close(): void }>;
}
