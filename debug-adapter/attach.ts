// The `attach` request: debug a guest running in QEMU (started with -s or -gdb tcp::PORT, TCG or KVM)
// through QEMU's gdbstub, with Bootscope's views of what the stub gives: registers, the segment
// registers with their hidden caches, CR0–CR4, GDTR/IDTR (from the monitor's `info registers`),
// memory, disassembly, breakpoints at linear addresses (gdbstub software breakpoints), data
// breakpoints (gdbstub watchpoints), continue, pause and step; and the panels that read the live
// state: Descriptor Tables (the tables copied through the gdbstub), VMCS and VM Entry Checks (QEMU's
// state under each profile) and Screen (VGA text memory and the BIOS data area, read physically; in a
// graphics mode QEMU's screendump, when QEMU runs on this host).
// What needs Bootscope's own machine — the recording (step back, reverse continue, goto, Timeline,
// last write), Why Did It Fault?, Compare, source listings — answers why it is not available
// attached. Disconnecting detaches and leaves QEMU running. Node only; must not import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOne } from '../emulator/disasm/listing';
import { CR0_PG } from '../emulator/cpu/regs';
import type { TableView } from '../emulator/debug/descriptors';
import { CP437 } from '../emulator/devices/cp437';
import { Memory } from '../emulator/memory/bus';
import type { CpuSnapshot } from '../emulator/vmx/cpuSnapshot';
import type { CpuMode, ReadDescriptorTableArguments, ScreenResponse, VmcsArguments } from '../protocol/customRequests';
import { GdbClient } from '../host/gdbClient';
import { RequestError, THREAD_ID, THREAD_NAME, parseReference, refString } from './context';
import { MAX_DISASSEMBLE } from './requestArgs';
import { dataIdOf, parseDataId } from './handlers/breakpoints';
import { descriptorTableOf, descriptorTablesOf, newPanelMemory, tssOf, vmcsOf, vmEntryChecksOf } from './handlers/panels';
import { hex } from '../protocol/format';

const SEGMENTS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldt', 'tr'] as const;
const GENERAL = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip', 'eflags'] as const;
const CONTROL = ['cr0', 'cr2', 'cr3', 'cr4'] as const;
/** The most bytes one watchpoint covers. */
const WATCH_MAX = 8;
/** How long the gdbstub has to answer the first requests. */
const HANDSHAKE_MS = 5000;
/** Bytes one `m` packet reads (QEMU's PacketSize is 0x1000 hex characters). */
const READ_CHUNK = 0x700;

interface SegmentCache {
  selector: number;
  base: number;
  limit: number;
  /** Access rights in VMCS layout (type, S, DPL, P in bits 0–7; AVL, L, D/B, G in 12–15), from QEMU's descriptor flags. */
  access: number;
}

/** What QEMU's `info registers` says of the CPU. */
export interface QemuCpuState {
  regs: Record<(typeof GENERAL)[number] | (typeof CONTROL)[number], number>;
  segments: Record<(typeof SEGMENTS)[number], SegmentCache>;
  gdtr: { base: number; limit: number };
  idtr: { base: number; limit: number };
  dr7: number;
  /** EFER's low 32 bits (the i386 target's EFER has nothing above them). */
  efer: number;
  /** II: the interrupt shadow of STI or MOV SS after the last instruction. */
  inhibit: boolean;
  halted: boolean;
}

/** Parses `info registers` of qemu-system-i386 (7.2); throws naming what is missing. */
export function parseInfoRegisters(text: string): QemuCpuState {
  const num = (name: string): number => {
    const m = new RegExp(`(?:^|\\s)${name}=([0-9a-f]+)`, 'm').exec(text);
    if (!m) throw new Error(`QEMU's info registers has no ${name}`);
    return parseInt(m[1], 16) >>> 0;
  };
  const regs = {} as QemuCpuState['regs'];
  for (const r of [...GENERAL, ...CONTROL]) regs[r] = num(r === 'eflags' ? 'EFL' : r.toUpperCase());
  const segments = {} as QemuCpuState['segments'];
  for (const s of SEGMENTS) {
    const m = new RegExp(`^${s.toUpperCase().padEnd(3)}=([0-9a-f]{4}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})`, 'm').exec(text);
    if (!m) throw new Error(`QEMU's info registers has no ${s.toUpperCase()} line`);
    const flags = parseInt(m[4], 16);
    segments[s] = { selector: parseInt(m[1], 16), base: parseInt(m[2], 16) >>> 0, limit: parseInt(m[3], 16) >>> 0, access: (flags >>> 8) & 0xf0ff };
  }
  const table = (name: string) => {
    const m = new RegExp(`^${name}=\\s+([0-9a-f]{8}) ([0-9a-f]{8})`, 'm').exec(text);
    if (!m) throw new Error(`QEMU's info registers has no ${name}`);
    return { base: parseInt(m[1], 16) >>> 0, limit: parseInt(m[2], 16) >>> 0 };
  };
  const flag = (name: string) => {
    const m = new RegExp(`\\s${name}=([01])\\b`).exec(text);
    if (!m) throw new Error(`QEMU's info registers has no ${name}`);
    return m[1] === '1';
  };
  return {
    regs, segments, gdtr: table('GDT'), idtr: table('IDT'), dr7: num('DR7'), efer: Number(BigInt.asUintN(32, BigInt(`0x${/EFER=([0-9a-f]+)/.exec(text)?.[1] ?? '0'}`))),
    inhibit: flag('II'), halted: flag('HLT'),
  };
}

/** VMCS-layout access rights with the unusable bit (16) where QEMU's descriptor cache is not present, as KVM sets it. */
function usableAccess(c: SegmentCache): number {
  return c.access & 0x80 ? c.access : c.access | 0x10000;
}

/**
 * QEMU's state as the hypervisor profiles take a CPU (emulator/vmx/fromCpu.ts's rules for the shadow),
 * with the CPU's caches where QEMU's TCG keeps other bits: a code or data cache has its accessed bit
 * (the CPU sets it on every load, SDM Vol. 3 §3.4.5.1; TCG's far JMP and CALL leave it clear) and TR's
 * type is busy (LTR's, §7.2.4; TCG keeps the available type it read). VM entry requires both.
 */
export function snapshotFromQemu(s: QemuCpuState): CpuSnapshot {
  const segments = {} as CpuSnapshot['segments'];
  for (const n of SEGMENTS) {
    const c = s.segments[n];
    const access = n === 'tr' ? ((c.access & 7) === 1 ? c.access | 2 : c.access) : c.access & 0x10 ? c.access | 1 : c.access;
    segments[n === 'ldt' ? 'ldtr' : n] = { selector: c.selector, base: c.base, limit: c.limit, access: usableAccess({ ...c, access }) };
  }
  return {
    segments, cr0: s.regs.cr0, cr2: s.regs.cr2, cr3: s.regs.cr3, cr4: s.regs.cr4, eflags: s.regs.eflags, eip: s.regs.eip, esp: s.regs.esp,
    gdtr: s.gdtr, idtr: s.idtr, dr7: s.dr7, efer: s.efer, interruptibility: s.inhibit ? (s.regs.eflags & 0x200 ? 1 : 2) : 0, halted: s.halted,
  };
}

/**
 * Guest memory copied through the gdbstub at linear addresses (QEMU translates them), for the
 * descriptor-table readers: the copy's page tables are QEMU's, so the view it backs has paging off.
 */
class LinearCopy extends Memory {
  private readonly pages = new Map<number, Uint8Array>();

  constructor() {
    super({ ramSize: 0x1000 });
  }

  put(linear: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const a = (linear + i) >>> 0;
      let page = this.pages.get(a >>> 12);
      if (!page) this.pages.set(a >>> 12, (page = new Uint8Array(0x1000).fill(0xff)));
      page[a & 0xfff] = bytes[i];
    }
  }

  override peek(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length).fill(0xff);
    for (let i = 0; i < length; i++) {
      const a = (addr + i) >>> 0;
      const page = this.pages.get(a >>> 12);
      if (page) out[i] = page[a & 0xfff];
    }
    return out;
  }
}

/** Bytes of the BIOS data area the Screen reads (BDA 40:49 video mode … 40:84 rows - 1). */
const BDA = 0x400;
const BDA_LENGTH = 0x90;

/** real, pm16, pm32 or vm86, as the launch session names modes. */
function modeOf(s: QemuCpuState): string {
  if (!(s.regs.cr0 & 1)) return 'real';
  if (s.regs.eflags & 0x20000) return 'vm86';
  return s.segments.cs.access & 0x4000 ? 'pm32' : 'pm16';
}

/** modeOf, with real mode whose data or stack segment cache reaches past 64 KiB named 'unreal' (as the panels name it). */
function panelModeOf(s: QemuCpuState): CpuMode {
  const m = modeOf(s);
  return m === 'real' && (['ds', 'es', 'fs', 'gs', 'ss'] as const).some((n) => s.segments[n].limit > 0xffff) ? 'unreal' : m as CpuMode;
}

/** Why each request that needs Bootscope's own machine has no answer when attached (the panels show it). */
const NEEDS_LAUNCH: Record<string, string> = {
  'bootscope/readTimeline': 'the Timeline is drawn from Bootscope\'s recording of the run, and QEMU runs this guest: nothing is recorded (launch the image to have it)',
  'bootscope/gotoInstruction': 'travelling to an instruction needs Bootscope\'s recording, and QEMU runs this guest: nothing is recorded',
  'bootscope/readFault': 'Why Did It Fault? follows Bootscope\'s own delivery of a fault rule by rule; QEMU\'s gdbstub reports where the guest stopped, not how a fault was raised: launch the image (or run bootscope explain-fault on a QEMU -d int,cpu_reset log)',
  'bootscope/findFaultWrite': 'finding the write that broke an entry needs Bootscope\'s recording, and QEMU runs this guest: nothing is recorded',
  'bootscope/findCheckFailureStart': 'finding where a check began to fail needs Bootscope\'s recording, and QEMU runs this guest: nothing is recorded',
  'bootscope/readCompare': 'the guest runs in QEMU alone, with no second machine to compare it with (launch with compareWith to run Bootscope beside QEMU)',
  'bootscope/compareAgain': 'the guest runs in QEMU alone, with no second machine to compare it with (launch with compareWith to run Bootscope beside QEMU)',
  // Tried: a `sendkey` through qRcmd while the gdbstub holds the guest stopped is dropped by QEMU.
  'bootscope/typeKeys': 'typing goes through QEMU\'s monitor, which the gdbstub reaches only while the guest is stopped, and QEMU drops keys sent then: type in QEMU\'s own window or its own monitor (sendkey)',
};

export interface AttachHost {
  onStop(reason: string, description: string, hitBreakpointIds?: number[]): void;
  output(text: string): void;
}

/** One attached QEMU: its gdbstub connection, the last state read, the breakpoints armed. */
export class QemuAttach {
  private state: QemuCpuState | null = null;
  private running = false;
  private pauseAsked = false;
  /** Linear address → DAP breakpoint id. */
  private readonly breakpoints = new Map<number, number>();
  /** Armed gdbstub watchpoints (Z2 write, Z3 read, Z4 access). */
  private watches: { id: number; linear: number; length: number; kind: 2 | 3 | 4 }[] = [];
  private nextId = 1;
  /** The panels' copy of the tables at this stop (built on first use), and their change marks across stops. */
  private tables: TableView | null = null;
  private readonly panelMemory = newPanelMemory();

  /** `local`: QEMU runs on this host (the gdbstub's address is a loopback one), so a file it writes can be read here. */
  private constructor(private readonly gdb: GdbClient, readonly endpoint: string, private readonly local: boolean, private readonly host: AttachHost) {}

  /**
   * Connects; the gdbstub stops the guest, whose state is read at once. Something on the port that
   * does not answer as QEMU's gdbstub does within HANDSHAKE_MS is given up.
   */
  static async connect(host: string, port: number, sink: AttachHost): Promise<QemuAttach> {
    const gdb = await GdbClient.connect(host, port);
    const a = new QemuAttach(gdb, `${host}:${port}`, ['127.0.0.1', 'localhost', '::1'].includes(host), sink);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${host}:${port}: no answer as QEMU's gdbstub within ${HANDSHAKE_MS / 1000} s`)), HANDSHAKE_MS);
    });
    try {
      await Promise.race([(async () => {
        await gdb.request('?');
        await a.refresh();
      })(), late]);
    } catch (e) {
      gdb.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return a;
  }

  private async refresh(): Promise<QemuCpuState> {
    this.state = parseInfoRegisters(await this.gdb.monitor('info registers'));
    this.tables = null;
    return this.state;
  }

  /**
   * The descriptor-table readers' view of QEMU's CPU: its registers and a copy of the GDT, the LDT,
   * the IDT (or IVT) and the TSS read through the gdbstub. Bytes the gdbstub cannot read (a page not
   * mapped) shorten that table to what was read, which the console says.
   */
  private async tableView(): Promise<TableView> {
    if (this.tables) return this.tables;
    const s = this.stopped();
    const mem = new LinearCopy();
    const pm = (s.regs.cr0 & 1) !== 0;
    const order = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldt', 'tr'] as const;
    const limit = order.map((n) => s.segments[n].limit);
    const copy = async (what: string, base: number, bytes: number): Promise<number> => {
      const { bytes: got, unreadable } = await this.readMemory(base, bytes);
      mem.put(base, got);
      if (unreadable) this.host.output(`QEMU: the ${what} at ${hex(base, 8)}: ${unreadable} of its ${bytes} bytes cannot be read through the gdbstub (not mapped); the panel shows what was read\n`);
      return got.length;
    };
    const gdt = Math.max(0, await copy('GDT', s.gdtr.base, Math.min(s.gdtr.limit + 1, 0x10000)) - 1);
    const idt = Math.max(0, await copy(pm ? 'IDT' : 'IVT', s.idtr.base, Math.min(s.idtr.limit + 1, pm ? 0x800 : 0x400)) - 1);
    if (pm && s.segments.ldt.access & 0x80 && s.segments.ldt.selector & 0xfffc) limit[6] = Math.max(0, await copy('LDT', s.segments.ldt.base, Math.min(s.segments.ldt.limit + 1, 0x10000)) - 1);
    if (pm && s.segments.tr.access & 0x80) await copy('TSS', s.segments.tr.base, Math.min(s.segments.tr.limit + 1, 104));
    this.tables = {
      sel: Uint16Array.from(order, (n) => s.segments[n].selector), base: Uint32Array.from(order, (n) => s.segments[n].base),
      limit: Uint32Array.from(limit), ar: Uint32Array.from(order, (n) => usableAccess(s.segments[n])),
      gdtrBase: s.gdtr.base, gdtrLimit: Math.min(s.gdtr.limit, gdt), idtrBase: s.idtr.base, idtrLimit: Math.min(s.idtr.limit, idt),
      // The copy is at linear addresses: QEMU translated them, so the view reads it with paging off.
      cr0: s.regs.cr0 & ~CR0_PG, cr3: 0, cr4: 0, mem,
    };
    return this.tables;
  }

  /**
   * QEMU's own picture of its display (monitor `screendump FILE -f png`), or why there is none: the
   * file is written where QEMU runs, so only a QEMU on this host can give it.
   */
  private async screendump(): Promise<{ width: number; height: number; png: string } | string> {
    if (!this.local) return `QEMU at ${this.endpoint} would write its screendump on its own host`;
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-screen-'));
    const file = join(dir, 'screen.png');
    try {
      const said = (await this.gdb.monitor(`screendump ${file} -f png`)).trim();
      if (!existsSync(file)) return `QEMU's screendump made no picture${said ? ` (${said.split('\n')[0]})` : ''}`;
      const png = readFileSync(file);
      // IHDR, the first chunk: width and height at bytes 16 and 20.
      return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), png: png.toString('base64') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * The VGA text screen from QEMU's guest memory, read physically (Qqemu.PhyMemMode): the page the BIOS
   * data area names, in its mode's columns and rows, the cursor where the BIOS keeps it. The VGA's own
   * registers are out of the gdbstub's reach; in a graphics mode the picture is QEMU's screendump.
   */
  private async screen(): Promise<ScreenResponse> {
    this.stopped();
    const mode = await this.gdb.request('qqemu.PhyMemMode');
    if (!/^[01]$/.test(mode)) throw new RequestError('attached to QEMU: its gdbstub cannot read physical memory (qqemu.PhyMemMode), where the screen is', true);
    await this.gdb.request('Qqemu.PhyMemMode:1');
    try {
      const bda = (await this.readMemory(BDA, BDA_LENGTH)).bytes;
      if (bda.length < BDA_LENGTH) throw new RequestError('attached to QEMU: the BIOS data area (physical 400h) cannot be read through the gdbstub', true);
      const video = bda[0x49];
      if (![0, 1, 2, 3, 7].includes(video)) {
        const shot = await this.screendump();
        if (typeof shot === 'string') throw new RequestError(`attached to QEMU: the BIOS data area says video mode ${hex(video, 2)}, a graphics mode, whose picture the gdbstub cannot read; ${shot}`, true);
        return { columns: 0, rows: 0, text: [], attributes: [], cursor: { row: 0, column: 0, visible: false }, graphics: shot };
      }
      const columns = bda[0x4a] | (bda[0x4b] << 8);
      const rows = (bda[0x84] || 24) + 1;
      const page = bda[0x62] & 7;
      const start = (bda[0x4e] | (bda[0x4f] << 8)) & 0x7fff;
      const base = video === 7 ? 0xb0000 : 0xb8000;
      const want = columns * rows * 2;
      const cells = (await this.readMemory(base + start, Math.min(want, 0x8000 - start))).bytes;
      const text: string[] = [];
      const attributes: number[] = [];
      for (let r = 0; r < rows; r++) {
        let line = '';
        for (let c = 0; c < columns; c++) {
          const i = (r * columns + c) * 2;
          line += CP437[cells[i] ?? 0x20];
          attributes.push(cells[i + 1] ?? 0x07);
        }
        text.push(line);
      }
      const shape = bda[0x61];
      return { columns, rows, text, attributes, cursor: { row: bda[0x51 + page * 2], column: bda[0x50 + page * 2], visible: (shape & 0x20) === 0 } };
    } finally {
      await this.gdb.request('Qqemu.PhyMemMode:0');
    }
  }

  private stopped(): QemuCpuState {
    if (this.running || !this.state) throw new RequestError('the guest is running in QEMU: pause first');
    return this.state;
  }

  private get pc(): number {
    const s = this.stopped();
    return (s.segments.cs.base + s.regs.eip) >>> 0;
  }

  /** `c` or `s`; the stop is reported when QEMU's stop reply comes. */
  private resume(packet: 'c' | 's'): void {
    this.stopped();
    this.running = true;
    this.pauseAsked = false;
    void this.gdb.request(packet).then(async (reply) => {
      const s = await this.refresh();
      this.running = false;
      const lin = (s.segments.cs.base + s.regs.eip) >>> 0;
      const id = this.breakpoints.get(lin);
      const where = `${s.segments.cs.selector.toString(16).padStart(4, '0').toUpperCase()}:${s.regs.eip.toString(16).padStart(4, '0').toUpperCase()}`;
      // A watchpoint's stop reply names the address: `T05…;watch:7e00;` (rwatch, awatch for reads and accesses).
      const w = /(?:^|;)(r|a)?watch:([0-9a-f]+)/.exec(reply.slice(3));
      const hit = w && this.watches.find((x) => { const at = parseInt(w[2], 16); return at >= x.linear && at < x.linear + x.length; });
      if (hit) {
        const what = w[1] === 'r' ? 'read of' : w[1] === 'a' ? 'access to' : 'write to';
        this.host.onStop('data breakpoint', `data breakpoint: ${what} 0x${w[2]}, before ${where} in QEMU`, [hit.id]);
      } else if (packet === 's') this.host.onStop('step', `stepped to ${where} in QEMU`);
      else if (id !== undefined && !this.pauseAsked) this.host.onStop('instruction breakpoint', `breakpoint at ${where} in QEMU`, [id]);
      else this.host.onStop('pause', `paused at ${where} in QEMU`);
    }, (e: Error) => {
      this.running = false;
      this.host.output(`QEMU ${this.endpoint}: ${e.message}\n`);
      this.host.onStop('exception', `lost QEMU: ${e.message}`);
    });
  }

  /** Detaches (QEMU's guest runs on) and closes the connection. */
  async detach(): Promise<void> {
    try {
      if (this.running) {
        this.gdb.interrupt();
        await new Promise((r) => setTimeout(r, 100));
      }
      await Promise.race([this.gdb.request('D'), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // Gone already.
    }
    this.gdb.close();
  }

  private async readMemory(address: number, count: number): Promise<{ bytes: Buffer; unreadable: number }> {
    this.stopped();
    const parts: Buffer[] = [];
    let done = 0;
    while (done < count) {
      const n = Math.min(READ_CHUNK, count - done);
      const r = await this.gdb.request(`m${((address + done) >>> 0).toString(16)},${n.toString(16)}`);
      if (!/^([0-9a-f]{2})+$/.test(r)) break;
      parts.push(Buffer.from(r, 'hex'));
      done += r.length / 2;
    }
    return { bytes: Buffer.concat(parts), unreadable: count - done };
  }

  private async setBreakpoints(linears: number[]): Promise<DebugProtocol.Breakpoint[]> {
    this.stopped();
    const want = new Set(linears.map((l) => l >>> 0));
    for (const lin of [...this.breakpoints.keys()]) {
      if (want.has(lin)) continue;
      await this.gdb.request(`z0,${lin.toString(16)},1`);
      this.breakpoints.delete(lin);
    }
    const out: DebugProtocol.Breakpoint[] = [];
    for (const lin of want) {
      let id = this.breakpoints.get(lin);
      if (id === undefined) {
        const r = await this.gdb.request(`Z0,${lin.toString(16)},1`);
        if (r !== 'OK') {
          out.push({ verified: false, message: `QEMU refused a breakpoint at ${hex(lin, 8)} (${r || 'not supported'})` });
          continue;
        }
        id = this.nextId++;
        this.breakpoints.set(lin, id);
      }
      out.push({ id, verified: true, instructionReference: refString(lin) });
    }
    return out;
  }

  /** `0x…` or decimal (linear) or `SSSS:OOOO` (real mode): 1 to 8 bytes there, watched by QEMU. */
  private dataBreakpointInfo(a: DebugProtocol.DataBreakpointInfoArguments): DebugProtocol.DataBreakpointInfoResponse['body'] {
    const n = a.name.trim();
    const so = /^([0-9a-f]{1,4}):([0-9a-f]{1,8})$/i.exec(n);
    const linear = so ? parseInt(so[1], 16) * 16 + parseInt(so[2], 16) : /^(0x[0-9a-f]+|\d+)$/i.test(n) ? Number(n) : NaN;
    const bytes = a.bytes ?? 1;
    if (!Number.isFinite(linear) || linear > 0xffffffff) return { dataId: null, description: `attached to QEMU: watch an address, 0x… (linear) or SSSS:OOOO (real mode), not '${n}'` };
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > WATCH_MAX) return { dataId: null, description: `attached to QEMU: a watchpoint covers 1 to ${WATCH_MAX} bytes` };
    return { dataId: dataIdOf(linear, bytes), description: `${bytes} byte${bytes === 1 ? '' : 's'} at linear ${hex(linear, 8)} (QEMU watchpoint)`, accessTypes: ['read', 'write', 'readWrite'] };
  }

  /** Replaces the armed watchpoints with these. */
  private async setDataBreakpoints(a: DebugProtocol.SetDataBreakpointsArguments): Promise<DebugProtocol.Breakpoint[]> {
    this.stopped();
    for (const w of this.watches) await this.gdb.request(`z${w.kind},${w.linear.toString(16)},${w.length.toString(16)}`);
    this.watches = [];
    const out: DebugProtocol.Breakpoint[] = [];
    for (const b of a.breakpoints) {
      const range = parseDataId(b.dataId, WATCH_MAX);
      if (typeof range === 'string') {
        out.push({ verified: false, message: range });
        continue;
      }
      const kind = b.accessType === 'read' ? 3 : b.accessType === 'readWrite' ? 4 : 2;
      const r = await this.gdb.request(`Z${kind},${range.linear.toString(16)},${range.length.toString(16)}`);
      if (r !== 'OK') {
        out.push({ verified: false, message: `QEMU refused a watchpoint at ${hex(range.linear, 8)} (${r || 'not supported'})` });
        continue;
      }
      const id = this.nextId++;
      this.watches.push({ id, ...range, kind });
      out.push({ id, verified: true });
    }
    return out;
  }

  private variables(ref: number): DebugProtocol.Variable[] {
    const s = this.stopped();
    const v = (name: string, value: string): DebugProtocol.Variable => ({ name, value, variablesReference: 0 });
    if (ref === 1) return GENERAL.map((r) => v(r, hex(s.regs[r], 8)));
    if (ref === 2) {
      return SEGMENTS.map((n) => {
        const c = s.segments[n];
        return v(n, `${hex(c.selector, 4)} base=${hex(c.base, 8)} limit=${hex(c.limit, 8)} ar=${hex(c.access, 5)}`);
      });
    }
    if (ref === 3) {
      return [...CONTROL.map((r) => v(r, hex(s.regs[r], 8))), v('gdtr', `base=${hex(s.gdtr.base, 8)} limit=${hex(s.gdtr.limit, 4)}`),
        v('idtr', `base=${hex(s.idtr.base, 8)} limit=${hex(s.idtr.limit, 4)}`)];
    }
    return [];
  }

  /** `eax`, `cs.base`, `gdtr.limit`, … from the last state; `monitor CMD` is passed to QEMU's monitor. */
  private async evaluate(expression: string): Promise<string> {
    const e = expression.trim();
    const mon = /^monitor\s+(.+)$/.exec(e);
    if (mon) return (await this.gdb.monitor(mon[1])).trimEnd();
    const s = this.stopped();
    const [name, field] = e.toLowerCase().split('.');
    if ((GENERAL as readonly string[]).includes(name) || (CONTROL as readonly string[]).includes(name)) {
      if (field === undefined) return hex(s.regs[name as keyof QemuCpuState['regs']], 8);
    }
    const seg = s.segments[name as keyof QemuCpuState['segments']];
    if (seg) {
      if (field === undefined || field === 'selector') return hex(seg.selector, 4);
      if (field === 'base' || field === 'limit') return hex(seg[field], 8);
      if (field === 'ar') return hex(seg.access, 5);
    }
    if ((name === 'gdtr' || name === 'idtr') && (field === 'base' || field === 'limit')) return hex(s[name][field], 8);
    throw new RequestError(`attached to QEMU: '${expression}' is not a register or field the gdbstub gives (eax…eflags, cr0…cr4, cs/ds/…/tr with .base .limit .ar, gdtr/idtr .base .limit), nor 'monitor COMMAND'`, true);
  }

  private async disassemble(a: DebugProtocol.DisassembleArguments): Promise<DebugProtocol.DisassembledInstruction[]> {
    const s = this.stopped();
    const bits = modeOf(s) === 'pm32' ? 32 : 16;
    const anchor = (parseReference(a.memoryReference, 'memoryReference') + (a.offset ?? 0)) >>> 0;
    const before = Math.max(0, -(a.instructionOffset ?? 0));
    const count = Math.min(a.instructionCount, MAX_DISASSEMBLE);
    // Backward: decode from far enough before the anchor that the decoding lines up with it, and keep what precedes it.
    const start = Math.max(0, anchor - before * 15 - 16);
    const { bytes } = await this.readMemory(start, anchor - start + (count + Math.max(0, a.instructionOffset ?? 0) + 1) * 15);
    const lines: { address: number; text: string; bytes: string }[] = [];
    for (let off = 0; off < bytes.length;) {
      const l = listOne(bytes, off, { org: start, bits });
      lines.push({ address: l.address, text: l.text, bytes: l.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ') });
      off += Math.max(1, l.length);
    }
    let at = lines.findIndex((l) => l.address >= anchor);
    if (at < 0) at = lines.length;
    const out: DebugProtocol.DisassembledInstruction[] = [];
    for (let i = at + (a.instructionOffset ?? 0); out.length < count; i++) {
      const l = i >= 0 ? lines[i] : undefined;
      out.push(l ? { address: refString(l.address), instruction: l.text, instructionBytes: l.bytes } : { address: refString(anchor), instruction: '??', presentationHint: 'invalid' });
    }
    return out;
  }

  /**
   * The DAP requests attach mode answers (the body), or null for one it does not: the session says
   * that needs a launched machine.
   */
  async request(command: string, args: Record<string, unknown>): Promise<unknown> {
    switch (command) {
      case 'configurationDone':
        setImmediate(() => {
          const s = this.state!;
          this.host.onStop('entry', `attached to QEMU at ${this.endpoint}, ${modeOf(s)} at ${hex(s.segments.cs.selector, 4)}:${hex(s.regs.eip, 8)}`);
        });
        return {};
      case 'threads':
        return { threads: [{ id: THREAD_ID, name: THREAD_NAME }] };
      case 'stackTrace': {
        const s = this.stopped();
        const cs = s.segments.cs.selector.toString(16).padStart(4, '0').toUpperCase(), ip = s.regs.eip.toString(16).padStart(4, '0').toUpperCase();
        return { stackFrames: [{ id: 1, name: `${cs}:${ip} ${modeOf(s)} (QEMU)`, line: 0, column: 0, instructionPointerReference: refString(this.pc) }], totalFrames: 1 };
      }
      case 'scopes':
        return {
          scopes: [
            { name: 'General Registers', variablesReference: 1, expensive: false },
            { name: 'Segment Registers', variablesReference: 2, expensive: false },
            { name: 'Control Registers', variablesReference: 3, expensive: false },
          ],
        };
      case 'variables':
        return { variables: this.variables(args.variablesReference as number) };
      case 'continue':
        this.resume('c');
        return { allThreadsContinued: true };
      case 'next': case 'stepIn':
        this.resume('s');
        return {};
      case 'pause':
        if (this.running) {
          this.pauseAsked = true;
          this.gdb.interrupt();
        }
        return {};
      case 'readMemory': {
        const address = (parseReference(args.memoryReference as string, 'memoryReference') + ((args.offset as number | undefined) ?? 0)) >>> 0;
        const { bytes, unreadable } = await this.readMemory(address, args.count as number);
        return { address: refString(address), data: bytes.toString('base64'), ...(unreadable ? { unreadableBytes: unreadable } : {}) };
      }
      case 'disassemble':
        return { instructions: await this.disassemble(args as unknown as DebugProtocol.DisassembleArguments) };
      case 'setInstructionBreakpoints': {
        const bps = args.breakpoints as { instructionReference: string; offset?: number }[];
        return { breakpoints: await this.setBreakpoints(bps.map((b) => parseReference(b.instructionReference, 'instructionReference') + (b.offset ?? 0))) };
      }
      case 'setFunctionBreakpoints': {
        // `0x…` linear, or `SSSS:OOOO` at the linear address CS's base would give it if CS held SSSS in real mode.
        const names = (args.breakpoints as { name: string }[]).map((b) => b.name.trim());
        const linears: number[] = [];
        for (const n of names) {
          const so = /^([0-9a-f]{1,4}):([0-9a-f]{1,8})$/i.exec(n);
          if (so) linears.push(parseInt(so[1], 16) * 16 + parseInt(so[2], 16));
          else if (/^0x[0-9a-f]+$/i.test(n)) linears.push(parseInt(n, 16));
          else throw new RequestError(`attached to QEMU: breakpoint '${n}' must be 0x… (linear) or SSSS:OOOO (real mode)`, true);
        }
        return { breakpoints: await this.setBreakpoints(linears) };
      }
      case 'setBreakpoints':
        return {
          breakpoints: ((args.breakpoints as unknown[] | undefined) ?? []).map(() => ({
            verified: false, message: 'attached to QEMU: no source maps; use the Disassembly view or a function breakpoint (0x… or SSSS:OOOO)',
          })),
        };
      case 'setExceptionBreakpoints':
        return {};
      case 'dataBreakpointInfo':
        return this.dataBreakpointInfo(args as unknown as DebugProtocol.DataBreakpointInfoArguments);
      case 'setDataBreakpoints':
        return { breakpoints: await this.setDataBreakpoints(args as unknown as DebugProtocol.SetDataBreakpointsArguments) };
      case 'evaluate':
        return { result: await this.evaluate(args.expression as string), variablesReference: 0 };
      case 'bootscope/status': {
        const st = this.stopped();
        return { mode: panelModeOf(st), cs: st.segments.cs.selector, eip: st.regs.eip, running: this.running };
      }
      case 'bootscope/readDescriptorTables':
        return descriptorTablesOf(await this.tableView(), panelModeOf(this.stopped()), this.panelMemory.tables);
      case 'bootscope/readDescriptorTable':
        return descriptorTableOf(await this.tableView(), args as unknown as ReadDescriptorTableArguments);
      case 'bootscope/readTss':
        return tssOf(await this.tableView());
      case 'bootscope/readVmcs':
        return vmcsOf(snapshotFromQemu(this.stopped()), args as unknown as VmcsArguments, this.panelMemory.vmcs);
      case 'bootscope/checkVmEntry':
        return vmEntryChecksOf(snapshotFromQemu(this.stopped()), args as unknown as VmcsArguments);
      case 'bootscope/readScreen':
        return this.screen();
      default:
        if (NEEDS_LAUNCH[command]) throw new RequestError(`attached to QEMU: ${NEEDS_LAUNCH[command]}`, true);
        return null;
    }
  }
}
