// The custom requests of protocol/customRequests.ts that read the machine: CPU status, descriptor
// tables (all, or one) with the entries the segment caches came from and what changed since the last
// stop, the VMCS as a hypervisor profile would enter the live state, the VM-entry checks, and the
// screen. Node only; must not import vscode. SDM Vol. 3 §3.4.5, §6.11, §7.2 (tables), §26.3 (checks).

import { encodePng } from '../../host/png';
import { CR0_PE, CS, DS, ES, FS, GS, LDTR, SS, TR } from '../../emulator/cpu/regs';
import { readInterruptTable, readTable, readTss, type Descriptor, type TableView } from '../../emulator/debug/descriptors';
import { displayMode } from '../../emulator/debug/machineView';
import { textToKeystrokes } from '../../emulator/devices/keyboard';
import { snapshotFromCpu } from '../../emulator/vmx/fromCpu';
import type { CpuSnapshot } from '../../emulator/vmx/cpuSnapshot';
import { evaluateProfile, isProfileName, PROFILE_NAMES } from '../../emulator/vmx/profiles';
import { rootCauses } from '../../emulator/vmx/rootCause';
import { vmcsRows } from '../../emulator/vmx/vmcsView';
import type {
  CheckVmEntryResponse, CpuMode, DescriptorEntry, DescriptorTable, DescriptorTablesResponse, DisassemblySourceArguments, DisassemblySourceResponse,
  ProfileName, ReadDescriptorTableArguments, ReadVmcsResponse, ScreenResponse, SegmentCache, StatusResponse, TssState, TypeKeysArguments,
  VmcsArguments,
} from '../../protocol/customRequests';
import { RequestError, type SessionContext } from '../context';
import { codeSegment, guestReader } from '../disasmSources';
import { knownStarts } from './memoryAndDisasm';
import { hex } from '../../protocol/format';

/** What the panels compare against to mark changes: the state at the previous stop, per session. */
export interface PanelMemory {
  tables: Map<string, [number, number]>;
  vmcs: Map<string, number | undefined>;
}
export const newPanelMemory = (): PanelMemory => ({ tables: new Map(), vmcs: new Map() });
const memory = new WeakMap<SessionContext, PanelMemory>();
function remembered(ctx: SessionContext): PanelMemory {
  let m = memory.get(ctx);
  if (!m) memory.set(ctx, (m = newPanelMemory()));
  return m;
}

/** The panels' mode names; 'unreal' is real mode with a data segment cache above 64 KiB. */
export function panelMode(ctx: SessionContext): CpuMode {
  return displayMode(ctx.machine.cpu);
}

export function status(ctx: SessionContext): StatusResponse {
  const cpu = ctx.machine.cpu;
  return { mode: panelMode(ctx), cs: cpu.sel[CS], eip: cpu.eip >>> 0, instructions: cpu.icount, running: ctx.runner.isRunning };
}

const SEG_NAMES: [keyof DescriptorTablesResponse['segments'], number][] = [
  ['cs', CS], ['ds', DS], ['es', ES], ['ss', SS], ['fs', FS], ['gs', GS], ['ldtr', LDTR], ['tr', TR],
];

function segments(cpu: TableView): DescriptorTablesResponse['segments'] {
  const out = {} as Record<string, SegmentCache>;
  for (const [name, s] of SEG_NAMES) out[name] = { selector: cpu.sel[s], base: cpu.base[s] >>> 0, limit: cpu.limit[s] >>> 0, access: cpu.ar[s] };
  return out as DescriptorTablesResponse['segments'];
}

/** One line that says what the entry is and what loading it would do (SDM §5.5, §6.15 #NP). */
function explain(d: Descriptor): string {
  if (d.raw[0] === 0 && d.raw[1] === 0) return 'null descriptor: loading it into CS or SS raises #GP(0)';
  if (!d.present) return `${d.typeName}, not present: loading it would raise #NP(${hex(d.selector & 0xfffc, 4)})`;
  if (d.gate) return `${d.typeName} → ${hex(d.gate.selector, 4)}:${hex(d.gate.offset, 8)}, DPL ${d.dpl}`;
  const width = d.system ? '' : d.ar & 0x4000 ? '32-bit ' : '16-bit ';
  return `${width}${d.typeName}, base ${hex(d.base, 8)}, limit ${hex(d.limit, d.limit > 0xffff ? 8 : 4)}, DPL ${d.dpl}`;
}

/** GDT or LDT entries in the protocol's shape; with `prev` compared with the previous stop (the panel's highlights). */
function tableEntries(cpu: TableView, name: 'gdt' | 'ldt', base: number, prev: PanelMemory['tables'] | null, max?: number): DescriptorEntry[] {
  return readTable(cpu, name, max).map((d) => {
    const key = `${name}:${d.index}`;
    const before = prev?.get(key);
    prev?.set(key, d.raw);
    const cachedBy = SEG_NAMES.filter(([, s]) => (cpu.sel[s] & 0xfffc) === (d.selector & 0xfffc) && (d.selector & 0xfff8) !== 0 &&
      ((cpu.sel[s] & 4) !== 0) === (name === 'ldt') && cpu.cr0 & CR0_PE).map(([n]) => n.toUpperCase());
    return {
      index: d.index, selector: d.selector, linear: (base + d.index * 8) >>> 0, raw: d.raw, type: d.typeName, access: d.ar,
      ...(d.gate ? { gate: { selector: d.gate.selector, offset: d.gate.offset } } : { base: d.base, limit: d.limit, db: (d.ar & 0x4000) !== 0, g: (d.ar & 0x8000) !== 0 }),
      dpl: d.dpl, present: d.present, explain: explain(d),
      ...(cachedBy.length ? { cachedBy } : {}),
      ...(before && (before[0] !== d.raw[0] || before[1] !== d.raw[1]) ? { changed: true } : {}),
    };
  });
}

/** The interrupt table in force: the IDT's gates in protected mode, the IVT's vectors in real mode. */
function interruptTable(cpu: TableView, max?: number): DescriptorTable {
  const pm = (cpu.cr0 & CR0_PE) !== 0;
  return {
    name: pm ? 'idt' : 'ivt', base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit,
    entries: readInterruptTable(cpu, max).map((e) => ({
      index: e.vector, selector: e.vector, linear: (cpu.idtrBase + e.vector * (pm ? 8 : 4)) >>> 0, raw: [0, 0] as [number, number],
      type: pm ? e.kind : 'real-mode vector', dpl: e.dpl, present: e.present,
      gate: { selector: e.selector, offset: e.offset },
      explain: pm ? `${e.kind} → ${hex(e.selector, 4)}:${hex(e.offset, 8)}${e.present ? '' : ' (not present: #NP)'}` : `IVT → ${hex(e.selector, 4)}:${hex(e.offset, 4)}`,
    })),
  };
}

function tss(cpu: TableView): TssState | undefined {
  const t = readTss(cpu);
  if (!t) return undefined;
  const f = new Map(t.fields.map((x) => [x.name, x.value]));
  const stacks = ([0, 1, 2] as const).map((ring) => ({
    ring, ss: f.get(`ss${ring}`) ?? 0, esp: f.get(t.bits === 32 ? `esp${ring}` : `sp${ring}`) ?? 0,
  }));
  return { selector: t.selector, base: t.base, limit: t.limit, width: t.bits, stacks, ...(f.has('iomap') ? { ioMapBase: f.get('iomap') } : {}), fields: t.fields };
}

/** The Descriptor Tables panel's answer for a CPU (the session's, or attach's copy of QEMU's); changes against `prev`. */
export function descriptorTablesOf(cpu: TableView, mode: CpuMode, prev: PanelMemory['tables']): DescriptorTablesResponse {
  const tables: DescriptorTable[] = [
    { name: 'gdt', base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit, entries: tableEntries(cpu, 'gdt', cpu.gdtrBase, prev) },
  ];
  if (cpu.cr0 & CR0_PE && !(cpu.ar[LDTR] & 0x10000) && (cpu.sel[LDTR] & 0xfffc) !== 0) {
    tables.push({ name: 'ldt', base: cpu.base[LDTR] >>> 0, limit: cpu.limit[LDTR], entries: tableEntries(cpu, 'ldt', cpu.base[LDTR], prev) });
  }
  // The panel folds 'ivt' itself (extension/views/descriptorTables/model.ts).
  tables.push({ ...interruptTable(cpu), name: 'idt' });
  const t = tss(cpu);
  return { mode, segments: segments(cpu), tables, ...(t ? { tss: t } : {}) };
}

export function readDescriptorTables(ctx: SessionContext): DescriptorTablesResponse {
  return descriptorTablesOf(ctx.machine.cpu, panelMode(ctx), remembered(ctx).tables);
}

/** bootscope/readDescriptorTable: one table, at most `max` entries, without change tracking. */
export function descriptorTableOf(cpu: TableView, args: ReadDescriptorTableArguments): DescriptorTable {
  if (args.table === 'gdt') return { name: 'gdt', base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit, entries: tableEntries(cpu, 'gdt', cpu.gdtrBase, null, args.max) };
  if (args.table === 'ldt') return { name: 'ldt', base: cpu.base[LDTR] >>> 0, limit: cpu.limit[LDTR], entries: tableEntries(cpu, 'ldt', cpu.base[LDTR], null, args.max) };
  if (args.table !== 'idt') throw new RequestError(`unknown table '${String(args.table)}': use gdt, ldt or idt`);
  return interruptTable(cpu, args.max);
}

export function readDescriptorTable(ctx: SessionContext, args: ReadDescriptorTableArguments): DescriptorTable {
  return descriptorTableOf(ctx.machine.cpu, args);
}

/** bootscope/readTss: the TSS that TR points at. */
export function tssOf(cpu: TableView): TssState {
  const t = tss(cpu);
  if (!t) throw new RequestError('no task register loaded (TR is unusable or the CPU is in real mode)');
  return t;
}

export function readTssRequest(ctx: SessionContext): TssState {
  return tssOf(ctx.machine.cpu);
}

/** A request's profile argument (absent: raw); an unknown name is the client's error. */
export function profileOf(name: string | undefined): ProfileName {
  const p = name ?? 'raw';
  if (!isProfileName(p)) throw new RequestError(`unknown profile '${p}': use ${PROFILE_NAMES.join(', ')}`);
  return p;
}

/** The VMCS panel's answer for a CPU state (the session's, or QEMU's when attached); changes against `prev`. */
export function vmcsOf(snapshot: CpuSnapshot, args: VmcsArguments, prev: PanelMemory['vmcs']): ReadVmcsResponse {
  const profile = profileOf(args?.profile);
  const r = evaluateProfile(profile, snapshot);
  // When the hypervisor would emulate, nothing is entered: show the state as the raw profile would enter it.
  const state = r.entered ?? evaluateProfile('raw', snapshot).entered;
  const rows = state ? vmcsRows(state) : [];
  return {
    profile,
    rows: rows.map((row) => {
      const value = row.value === undefined ? undefined : Number(row.value);
      const key = `${profile}:${row.name}`;
      const changed = prev.has(key) && prev.get(key) !== value;
      prev.set(key, value);
      return { name: row.name, encoding: row.encoding, width: String(row.width), group: row.group, ...(value === undefined ? {} : { value }), ...(changed ? { changed } : {}) };
    }),
  };
}

export function readVmcs(ctx: SessionContext, args: VmcsArguments): ReadVmcsResponse {
  return vmcsOf(snapshotFromCpu(ctx.machine.cpu), args, remembered(ctx).vmcs);
}

/** The VM Entry Checks panel's answer for a CPU state (the session's, or QEMU's when attached). */
export function vmEntryChecksOf(snapshot: CpuSnapshot, args: VmcsArguments): CheckVmEntryResponse {
  const profile = profileOf(args?.profile);
  const r = evaluateProfile(profile, snapshot);
  const checks = (r.report?.checks ?? []).map((c) => ({ id: c.id, section: c.section, field: c.field, status: c.status, message: c.message }));
  const causes = r.entered && r.report ? rootCauses(r.entered, r.report) : [];
  return {
    profile, verdict: r.verdict, reason: r.reason, notes: r.notes, checks,
    ...(causes.length ? { rootCauses: causes.map((c) => ({ id: c.id, summary: c.summary, checks: c.checks })) } : {}),
  };
}

export function checkVmEntry(ctx: SessionContext, args: VmcsArguments): CheckVmEntryResponse {
  return vmEntryChecksOf(snapshotFromCpu(ctx.machine.cpu), args);
}

/** bootscope/readScreen: the text, attributes and cursor of the VGA text screen; in a VBE mode the picture too. */
export function readScreen(ctx: SessionContext): ScreenResponse {
  const vga = ctx.machine.devices.vga;
  const cells = vga.cells(ctx.machine.mem);
  const attributes: number[] = [];
  for (let i = 1; i < cells.length; i += 2) attributes.push(cells[i]);
  const c = vga.cursor();
  const text = vga.screenLines(ctx.machine.mem);
  const frame = ctx.machine.devices.graphicsFrame();
  const mode = ctx.machine.devices.vbe.mode();
  return {
    columns: text[0]?.length ?? 80, rows: text.length, text, attributes,
    cursor: { row: c.row, column: c.col, visible: c.visible },
    ...(frame && mode ? { graphics: { ...mode, png: encodePng(frame.width, frame.height, frame.rgba).toString('base64') } } : {}),
  };
}

/** Keystrokes the keyboard may hold queued: a client typing faster than the guest reads is told so. */
const MAX_QUEUED_KEYS = 16384;

/**
 * Types text on the guest's keyboard (the Screen panel, bootscope/typeKeys). With a recording it goes
 * through it, so going back past the keys and forward again types them at the same instruction.
 */
export function typeText(ctx: SessionContext, text: string): void {
  const kbc = ctx.machine.devices.kbc;
  let keys: number;
  try {
    keys = textToKeystrokes(text).length;
  } catch (e) {
    throw new RequestError(`cannot type that: ${(e as Error).message}`, true);
  }
  if (kbc.queuedKeys + keys > MAX_QUEUED_KEYS) {
    throw new RequestError(`the keyboard queue holds ${kbc.queuedKeys} keystrokes the guest has not read yet; at most ${MAX_QUEUED_KEYS} may wait`, true);
  }
  if (ctx.recorder) ctx.recorder.typeKeys(text);
  else kbc.type(text);
}

export function typeKeys(ctx: SessionContext, args: TypeKeysArguments): Record<string, never> {
  typeText(ctx, args.text);
  return {};
}

/** The disassembly document holding a gate's target (the same documents stack frames show). */
export function disassemblySource(ctx: SessionContext, args: DisassemblySourceArguments): DisassemblySourceResponse {
  const cpu = ctx.machine.cpu;
  let seg;
  try {
    seg = codeSegment(cpu, args.selector);
  } catch (e) {
    throw new RequestError((e as Error).message, true);
  }
  if (args.offset > seg.limit) throw new RequestError(`offset ${args.offset.toString(16)} is past the limit of segment ${args.selector.toString(16)}`, true);
  const { doc, line } = ctx.disasm.locate(guestReader(cpu), seg, args.offset, knownStarts(ctx));
  return { source: { name: doc.name, sourceReference: doc.ref }, line };
}
