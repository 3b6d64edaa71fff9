// Typed custom DAP requests and webview messages for the extension's panels (Descriptor Tables, VMCS, VM Entry
// Checks, Screen, Timeline) and the status bar, beside protocol/customRequests.ts (the console's requests). Types
// and constants only: no imports, no 'vscode', no Node. Numbers are plain numbers; addresses linear unless named
// otherwise. SDM Vol. 3 §3.4.5, §6.11, §7.2 (descriptors, gates, TSS), §26.2–26.3 (VM-entry checks).

/** Custom request commands the panels send through `DebugSession.customRequest`. */
export const enum PanelRequest {
  Status = 'bootscope/status',
  ReadDescriptorTables = 'bootscope/readDescriptorTables',
  ReadVmcs = 'bootscope/readVmcs',
  CheckVmEntry = 'bootscope/checkVmEntry',
  FindCheckFailureStart = 'bootscope/findCheckFailureStart',
  ReadScreen = 'bootscope/readScreen',
  SendKeys = 'bootscope/sendKeys',
  ReadTimeline = 'bootscope/readTimeline',
  GotoInstruction = 'bootscope/gotoInstruction',
  /** The virtual disassembly document (a DAP source) holding SSSS:OOOO, for a gate's target. */
  DisassemblySource = 'bootscope/disassemblySource',
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

// ---- bootscope/readDescriptorTables -----------------------------------------------------------------------
/** 'ivt' only from the fallback built on bootscope/readDescriptorTable; the panels' request names it 'idt'. */
export type DescriptorTableName = 'gdt' | 'ldt' | 'idt' | 'ivt';
export interface DescriptorTablesArguments {}
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

// ---- bootscope/readScreen and bootscope/sendKeys -----------------------------------------------------------
export interface ScreenArguments {}
export interface ScreenResponse {
  columns: number;
  rows: number;
  /** One string per row (CP437 already mapped to Unicode). */
  text: string[];
  /** One attribute byte per cell, row-major (low nibble fg, high nibble bg). Optional: plain text without it. */
  attributes?: number[];
  cursor?: { row: number; column: number; visible: boolean };
}
export interface SendKeysArguments {
  /** Text to type; "\n" is Enter. */
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

/** Request → [arguments, response] map for the typed `customRequest` wrapper. */
export interface PanelRequests {
  [PanelRequest.Status]: [StatusArguments, StatusResponse];
  [PanelRequest.ReadDescriptorTables]: [DescriptorTablesArguments, DescriptorTablesResponse];
  [PanelRequest.ReadVmcs]: [VmcsArguments, ReadVmcsResponse];
  [PanelRequest.CheckVmEntry]: [VmcsArguments, CheckVmEntryResponse];
  [PanelRequest.FindCheckFailureStart]: [FindCheckFailureStartArguments, FindCheckFailureStartResponse];
  [PanelRequest.ReadScreen]: [ScreenArguments, ScreenResponse];
  [PanelRequest.SendKeys]: [SendKeysArguments, {}];
  [PanelRequest.ReadTimeline]: [TimelineArguments, TimelineResponse];
  [PanelRequest.GotoInstruction]: [GotoInstructionArguments, {}];
  [PanelRequest.DisassemblySource]: [DisassemblySourceArguments, DisassemblySourceResponse];
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

// ---- `bootscope vmcheck --json` (CLI.md), as the dump commands read it -----------------------------------
export interface VmcheckJson {
  source: 'xen' | 'kvm';
  format?: string;
  /** Which dump of the text (1-based), how many it has, and its lines there. */
  dump?: { index: number; count: number; firstLine: number; lastLine: number };
  profile: ProfileName;
  verdict: 'pass' | 'fail';
  checks: CheckRow[];
  rootCauses?: RootCause[];
  hints?: string[];
  warnings?: string[];
  guest: Record<string, SegmentCache | { base: number; limit: number } | number | undefined>;
}
/** `bootscope vmcheck --json` on a text with several dumps (without --dump). */
export interface VmcheckDumpsJson {
  dumps: VmcheckJson[];
}

// ---- webview ⇄ extension messages ---------------------------------------------------------------------------
/** Messages a panel's webview posts to the extension. */
export type FromWebview =
  | { type: 'setProfile'; profile: ProfileName }
  | { type: 'openMemory'; address: number }
  | { type: 'disassemble'; selector: number; offset: number }
  | { type: 'findFailureStart'; checkId: string }
  | { type: 'travel'; instruction: number }
  | { type: 'zoom'; zoom: 'in' | 'out' | 'all' }
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
