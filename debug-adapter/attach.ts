// The `attach` request: debug a guest running in QEMU (started with -s or -gdb tcp::PORT, TCG or KVM)
// through QEMU's gdbstub, with Bootscope's views of what the stub gives: registers, the segment
// registers with their hidden caches, CR0–CR4, GDTR/IDTR (from the monitor's `info registers`),
// memory, disassembly, breakpoints at linear addresses (gdbstub software breakpoints), data
// breakpoints (gdbstub watchpoints), continue, pause and step. What needs Bootscope's own machine —
// the recording (step back, reverse continue, goto, Timeline, last write), source listings, the
// panels' custom requests —
// answers that it is not available in attach mode. Disconnecting detaches and leaves QEMU running.
// Node only; must not import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { listOne } from '../emulator/disasm/listing';
import { GdbClient } from '../host/gdbClient';
import { RequestError, THREAD_ID, THREAD_NAME, parseReference, refString } from './context';
import { MAX_DISASSEMBLE } from './requestArgs';
import { dataIdOf, parseDataId } from './handlers/breakpoints';
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
  return { regs, segments, gdtr: table('GDT'), idtr: table('IDT') };
}

/** real, pm16, pm32 or vm86, as the launch session names modes. */
function modeOf(s: QemuCpuState): string {
  if (!(s.regs.cr0 & 1)) return 'real';
  if (s.regs.eflags & 0x20000) return 'vm86';
  return s.segments.cs.access & 0x4000 ? 'pm32' : 'pm16';
}

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

  private constructor(private readonly gdb: GdbClient, readonly endpoint: string, private readonly host: AttachHost) {}

  /**
   * Connects; the gdbstub stops the guest, whose state is read at once. Something on the port that
   * does not answer as QEMU's gdbstub does within HANDSHAKE_MS is given up.
   */
  static async connect(host: string, port: number, sink: AttachHost): Promise<QemuAttach> {
    const gdb = await GdbClient.connect(host, port);
    const a = new QemuAttach(gdb, `${host}:${port}`, sink);
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
    return this.state;
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
      const l = listOne(bytes, off, { org: start, bits, model: '80386' });
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
      default:
        return null;
    }
  }
}
