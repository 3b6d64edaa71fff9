// One gdb connection speaking the remote protocol to a session's machine (the same SessionContext a
// DAP session drives): registers, memory, breakpoints and watchpoints, continue/step, reverse
// step/continue from the recording, and `monitor` commands that are the debug console's commands.
// Transport-agnostic (the server hands it bytes); all-stop, one thread. Node only; no vscode.
// GDB manual, "Remote Protocol": Packets, Stop Reply Packets, General Query Packets.

import { CS } from '../../emulator/cpu/regs';
import { readLinear, segOff, writeLinear } from '../../emulator/debug/machineView';
import { writeRegister } from '../../emulator/debug/registers';
import type { WatchAccess } from '../../emulator/debug/watchpoints';
import { type BreakpointSpec, parseAddressSpec } from '../breakpointStore';
import { RequestError, type SessionContext } from '../context';
import { armedStops, recorderOf, restartStack, scanOptions, stepBack } from '../handlers/timeTravel';
import { typeText } from '../handlers/panels';
import { evaluateRequest } from '../handlers/x86Custom';
import type { Stop } from '../runner';
import { frame, fromHex, hexToText, leHex, PacketReader, textToHex, toHex, unescapeBinary, type WireEvent } from './packet';
import { gdbRegisterWrite, readGdbRegister, readGdbRegisters, splitRegisters, targetXml, type PcView } from './registers';

/** Largest packet either side sends (advertised as PacketSize); longer input is dropped. */
export const PACKET_SIZE = 0x4000;

export interface StubHost {
  /** Bytes for the connection (latin1). */
  send(data: string): void;
  /** `D`: gdb detached; the machine stays, stopped, for the next connection. */
  detach(): void;
  /** `k`: gdb killed the target. */
  kill(): void;
  /** gdb resumed the machine (a run or a reverse scan starts). */
  resumed(): void;
  /** Server messages (packets that failed). */
  log(text: string): void;
}

interface GdbBreakpoint {
  /** Z type: 0 software, 1 hardware. */
  type: 0 | 1;
  linear: number;
}

interface GdbWatch {
  /** Z type: 2 write, 3 read, 4 access. */
  type: 2 | 3 | 4;
  linear: number;
  length: number;
  id: number;
}

const WATCH_ACCESS: Record<GdbWatch['type'], WatchAccess> = { 2: 'write', 3: 'read', 4: 'readWrite' };
const WATCH_REASON: Record<GdbWatch['type'], string> = { 2: 'watch', 3: 'rwatch', 4: 'awatch' };
const SIGINT = '02', SIGTRAP = '05';
/** Store groups: gdb's own Z0/Z1 breakpoints and the `monitor break` ones (CS:IP-exact). */
const GROUP_GDB = 'gdb', GROUP_MONITOR = 'gdb-monitor';
/** Ids of gdb's watchpoints in the monitor (stop reports name them), apart from the DAP side's. */
let nextWatchId = 1 << 30;

const MONITOR_HELP = `Bootscope gdb server monitor commands:
  break SSSS:OOOO | 0xLINEAR   stop at CS:IP exactly (real mode) or at a linear address; 'break' lists, 'delete N|all' removes
  pc linear on|off             report eip as CS.base+EIP (on, the default: x/i $pc, breakpoints and disassembly use linear addresses) or as EIP
  mode                         CPU mode, CS:IP and the instruction count (same as 'info mode')
  keys TEXT                    type keys on the guest keyboard (\\n is Enter)
  After a command that moves in time (goto, last write, last change) run 'maint flush register-cache' so gdb reads the new state.
Every debug-console command works too:
`;

export class GdbStub {
  private readonly reader = new PacketReader(PACKET_SIZE);
  private noAck = false;
  private lastSent = '';
  /** What the next stop of the runner answers: a resume packet (`stop`) or a monitor command (`rcmd`). */
  private waiting: 'stop' | 'rcmd' | null = null;
  private rcmdOut: string[] = [];
  /** The monitor command started a task: its answer goes out with the task's stop. */
  private rcmdAsync = false;
  /** A stop reply decided by a history task, used by the stop it ends with. */
  private nextReply: string | null = null;
  private lastReply: string;
  private breakpoints: GdbBreakpoint[] = [];
  /** Store ids of gdb's breakpoints by their Z type (ids change with every replace). */
  private breakpointTypes = new Map<number, 0 | 1>();
  private watches: GdbWatch[] = [];
  private monitorBreaks: ({ text: string } & Pick<BreakpointSpec, 'linear' | 'exact' | 'phys'>)[] = [];
  readonly view: PcView = { linear: true };
  private closed = false;

  /** `lastStop`: the stop reply of the previous connection (`?` answers it). */
  constructor(private readonly ctx: SessionContext, private readonly host: StubHost, lastStop = `T${SIGTRAP}`) {
    this.lastReply = lastStop;
  }

  /** The reply `?` gives: the last stop. */
  get lastStop(): string {
    return this.lastReply;
  }

  /** Bytes from the connection (latin1). */
  receive(chunk: string): void {
    for (const e of this.reader.push(chunk)) this.onWire(e);
  }

  /** The connection is gone: a run it started is paused (not one another front end started), its breakpoints and watchpoints removed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiting === 'stop') this.ctx.runner.pause();
    this.waiting = null;
    this.breakpoints = [];
    this.monitorBreaks = [];
    this.watches = [];
    this.applyBreakpoints();
    this.applyMonitorBreaks();
    this.applyWatches();
  }

  /** A stop of the session (the runner's, or a time-travel arrival). */
  onStop(stop: Stop): void {
    const reply = this.nextReply ?? this.replyFor(stop);
    this.nextReply = null;
    this.lastReply = reply;
    if (this.waiting === 'stop') {
      this.waiting = null;
      if (stop.text && stop.reason === 'exception') this.consoleOut(stop.text + '\n');
      this.sendPacket(reply);
    } else if (this.waiting === 'rcmd' && this.rcmdAsync) {
      this.sendPacket(this.monitorAnswer(true));
    }
  }

  /** Console output of the session: into a monitor command's answer, or gdb's console while it waits for a stop. False when gdb waits for neither. */
  output(text: string): boolean {
    if (this.waiting === 'rcmd') this.rcmdOut.push(text);
    else if (this.waiting === 'stop') this.consoleOut(text);
    else return false;
    return true;
  }

  private consoleOut(text: string): void {
    this.sendPacket('O' + textToHex(text));
  }

  private onWire(e: WireEvent): void {
    switch (e.kind) {
      case 'ack': return;
      case 'nack':
        if (!this.noAck && this.lastSent) this.host.send(this.lastSent);
        return;
      case 'interrupt':
        this.ctx.runner.pause();
        return;
      case 'bad-checksum':
      case 'overflow':
        if (!this.noAck) this.host.send('-');
        return;
      case 'packet':
        if (!this.noAck) this.host.send('+');
        this.dispatch(e.payload);
    }
  }

  private sendPacket(payload: string): void {
    if (this.closed) return;
    this.lastSent = frame(payload);
    this.host.send(this.lastSent);
  }

  private dispatch(p: string): void {
    if (this.waiting !== null) {
      // All-stop: gdb sends nothing but the interrupt byte while it waits for a stop or a monitor answer.
      this.sendPacket('E01');
      return;
    }
    let reply: string | null;
    try {
      reply = this.handle(p);
    } catch (e) {
      this.host.log(`gdb packet '${p.slice(0, 40)}': ${(e as Error).message}\n`);
      reply = 'E01';
    }
    if (reply !== null) this.sendPacket(reply);
    // The OK went out acknowledged; from the next packet on neither side sends + or -.
    if (p === 'QStartNoAckMode') this.noAck = true;
  }

  /** The reply to one packet, or null when the reply comes later (a resume: the stop reply). */
  private handle(p: string): string | null {
    const cpu = this.ctx.machine.cpu;
    switch (p[0]) {
      case '?': return this.lastReply;
      case 'g': return readGdbRegisters(cpu, this.view);
      case 'G': return this.writeAll(p.slice(1));
      case 'p': {
        const n = parseInt(p.slice(1), 16);
        return readGdbRegister(cpu, n, this.view) ?? 'E01';
      }
      case 'P': {
        const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]+)$/.exec(p);
        if (!m) return 'E01';
        this.writeRegisters([[parseInt(m[1], 16), m[2]]]);
        return 'OK';
      }
      case 'm': return this.readMemory(p);
      case 'M': return this.writeMemory(p, false);
      case 'X': return this.writeMemory(p, true);
      case 'Z': case 'z': return this.setPoint(p);
      case 'c': case 's': case 'C': case 'S': return this.resume(p[0].toLowerCase() as 'c' | 's', p);
      case 'b':
        if (p === 'bs') return this.reverseStep();
        if (p === 'bc') return this.reverseContinue();
        return '';
      case 'k':
        this.host.kill();
        return null;
      case 'D':
        setImmediate(() => this.host.detach());
        return 'OK';
      case 'H': return 'OK';
      case 'T': return 'OK';
      case 'q': case 'Q': return this.query(p);
      case 'v': return this.vPacket(p);
      default: return '';
    }
  }

  private query(p: string): string | null {
    if (p.startsWith('qSupported')) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;ReverseStep+;ReverseContinue+;vContSupported+`;
    }
    if (p === 'QStartNoAckMode') return 'OK';
    if (p.startsWith('qXfer:features:read:')) return this.xferFeatures(p.slice('qXfer:features:read:'.length));
    if (p.startsWith('qRcmd,')) return this.monitor(p.slice(6));
    if (p === 'qAttached') return '1';
    if (p.startsWith('qSymbol')) return 'OK';
    return '';
  }

  private xferFeatures(args: string): string {
    const m = /^([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    if (!m) return 'E01';
    if (m[1] !== 'target.xml') return 'E00';
    // The architecture follows the code the CPU runs at connect time (16-bit at 0000:7C00).
    const xml = targetXml(this.ctx.machine.cpu.code32 ? 'i386' : 'i8086');
    const off = parseInt(m[2], 16), len = Math.min(parseInt(m[3], 16), PACKET_SIZE - 16);
    const part = xml.slice(off, off + len);
    return (off + len >= xml.length ? 'l' : 'm') + part;
  }

  private vPacket(p: string): string | null {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      // One thread: the first action applies (gdb sends e.g. `vCont;s:1;c`).
      const action = p.slice(6).split(';')[0];
      const kind = action[0];
      if (kind === 'c' || kind === 'C') return this.resume('c', 'c');
      if (kind === 's' || kind === 'S') return this.resume('s', 's');
      return 'E01';
    }
    if (p.startsWith('vKill')) {
      setImmediate(() => this.host.kill());
      return 'OK';
    }
    return '';
  }

  private writeAll(hex: string): string {
    const parts = splitRegisters(hex);
    if (!parts) return 'E01';
    this.writeRegisters(parts.map((h, n) => [n, h]));
    return 'OK';
  }

  /** Register writes are inputs from outside: the recording logs them so replays repeat them. */
  private writeRegisters(values: [number, string][]): void {
    const cpu = this.ctx.machine.cpu;
    const writes = values.map(([n, h]) => gdbRegisterWrite(cpu, n, h, this.view)).filter((w) => w !== null);
    for (const w of writes) {
      const apply = () => { writeRegister(this.ctx.machine.cpu, w.name, w.value); };
      if (this.ctx.recorder) this.ctx.recorder.input('register', `${w.name}=0x${w.value.toString(16)}`, apply);
      else apply();
    }
    if (writes.length) restartStack(this.ctx);
  }

  private readMemory(p: string): string {
    const m = /^m([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
    if (!m) return 'E01';
    const addr = parseInt(m[1], 16), len = Math.min(parseInt(m[2], 16), (PACKET_SIZE - 4) / 2);
    if (addr > 0xffffffff) return 'E01';
    const r = readLinear(this.ctx.machine.cpu, addr, len);
    return r.readable === 0 && len > 0 ? 'E01' : toHex(r.bytes.subarray(0, r.readable));
  }

  /** M (hex) and X (binary). */
  private writeMemory(p: string, binary: boolean): string {
    const colon = p.indexOf(':');
    const m = /^[MX]([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(colon < 0 ? p : p.slice(0, colon));
    if (!m || colon < 0) return 'E01';
    const addr = parseInt(m[1], 16), len = parseInt(m[2], 16);
    const raw = p.slice(colon + 1);
    let data: Uint8Array | null;
    if (binary) {
      const text = unescapeBinary(raw);
      data = text === null ? null : Uint8Array.from(text, (c) => c.charCodeAt(0));
    } else {
      data = fromHex(raw);
    }
    if (!data || data.length !== len || addr > 0xffffffff) return 'E01';
    // Through the recording: going back past the edit and forward again repeats it.
    const rec = this.ctx.recorder;
    const n = writeLinear(this.ctx.machine.cpu, addr, data, rec ? (phys, bytes) => rec.poke(phys, bytes) : undefined);
    return n === len ? 'OK' : 'E01';
  }

  private setPoint(p: string): string {
    const m = /^([Zz])([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)(;.*)?$/.exec(p);
    if (!m) return 'E01';
    const insert = m[1] === 'Z', type = +m[2] as 0 | 1 | 2 | 3 | 4;
    const linear = parseInt(m[3], 16), kind = parseInt(m[4], 16);
    if (linear > 0xffffffff) return 'E01';
    if (type <= 1) {
      const i = this.breakpoints.findIndex((b) => b.type === type && b.linear === linear);
      if (insert && i < 0) this.breakpoints.push({ type: type as 0 | 1, linear });
      if (!insert && i >= 0) this.breakpoints.splice(i, 1);
      this.applyBreakpoints();
      return 'OK';
    }
    if (kind < 1 || kind > 0x10000) return 'E01';
    const i = this.watches.findIndex((w) => w.type === type && w.linear === linear && w.length === kind);
    if (insert && i < 0) this.watches.push({ type: type as 2 | 3 | 4, linear, length: kind, id: nextWatchId++ });
    if (!insert && i >= 0) this.watches.splice(i, 1);
    this.applyWatches();
    return 'OK';
  }

  private applyBreakpoints(): void {
    const set = this.ctx.bps.replace(GROUP_GDB, this.breakpoints.map((b) => ({ origin: 'instruction', linear: b.linear, exact: null })));
    this.breakpointTypes = new Map(set.map((b, i) => [b.id, this.breakpoints[i].type]));
  }

  private applyMonitorBreaks(): void {
    this.ctx.bps.replace(GROUP_MONITOR, this.monitorBreaks.map((b) => ({
      origin: 'function', linear: b.linear, exact: b.exact, ...(b.phys !== undefined ? { phys: b.phys } : {}),
    })));
  }

  private applyWatches(): void {
    this.ctx.monitor.watch.set(this.watches.map((w) => ({ id: w.id, linear: w.linear, length: w.length, access: WATCH_ACCESS[w.type] })), 'gdb');
  }

  private resume(kind: 'c' | 's', p: string): string | null {
    const addr = /^[cs]([0-9a-fA-F]+)$/.exec(p);
    if (addr) this.writeRegisters([[8, leHex(parseInt(addr[1], 16), 4)]]);
    this.waiting = 'stop';
    this.host.resumed();
    if (kind === 'c') this.ctx.runner.continue();
    else this.ctx.runner.stepIn();
    return null;
  }

  /** One instruction back; at the start of the recording gdb is told history begins here. */
  private reverseStep(): string {
    const rec = this.ctx.recorder;
    if (!rec) return 'E01';
    if (this.ctx.machine.cpu.icount <= rec.startIcount) return `T${SIGTRAP}replaylog:begin;`;
    this.ctx.monitor.quietly(() => stepBack(this.ctx, { threadId: 1, granularity: 'instruction' }));
    return this.lastReply = `T${SIGTRAP}`;
  }

  /**
   * The most recent earlier hit of gdb's breakpoints and watchpoints (and `monitor break`), as the DAP
   * reverseContinue finds it. A watchpoint stop is placed before the accessing instruction (`dataBefore`).
   */
  private reverseContinue(): string | null {
    const ctx = this.ctx;
    if (!ctx.recorder) return 'E01';
    const rec = recorderOf(ctx);
    const stops = { ...armedStops(ctx), dataBefore: true };
    this.waiting = 'stop';
    this.host.resumed();
    ctx.runner.travel(async (cancelled, progress) => {
      const r = await rec.reverseContinueAsync(stops, scanOptions(rec, cancelled, progress));
      ctx.monitor.quietly(() => undefined);
      let reply = `T${SIGTRAP}`;
      if (r.reason === 'cancelled') reply = `T${SIGINT}`;
      else if (r.reason === 'start') reply = `T${SIGTRAP}replaylog:begin;`;
      else if (r.reason === 'data' && r.watch) {
        const w = this.watches.find((x) => x.linear === r.watch!.address && x.length === r.watch!.length && WATCH_ACCESS[x.type] === r.watch!.access);
        if (w) reply = `T${SIGTRAP}${WATCH_REASON[w.type]}:${w.linear.toString(16)};`;
      } else if (r.reason === 'breakpoint') {
        reply = this.breakpointReply(ctx.bps.at().map((b) => b.id));
      }
      restartStack(ctx);
      this.nextReply = reply;
      return { reason: r.reason === 'cancelled' ? 'pause' : 'breakpoint', description: `${r.detail} (instruction ${rec.icount})` };
    });
    return null;
  }

  private breakpointReply(ids: number[]): string {
    const types = ids.map((id) => this.breakpointTypes.get(id));
    if (types.includes(0)) return `T${SIGTRAP}swbreak:;`;
    if (types.includes(1)) return `T${SIGTRAP}hwbreak:;`;
    return `T${SIGTRAP}`;
  }

  /** A runner stop as a stop reply. */
  private replyFor(s: Stop): string {
    if (s.reason === 'pause') return `T${SIGINT}`;
    const ids = s.hitBreakpointIds ?? [];
    if (s.reason === 'data breakpoint') {
      const w = this.watches.find((x) => ids.includes(x.id));
      if (w) return `T${SIGTRAP}${WATCH_REASON[w.type]}:${w.linear.toString(16)};`;
    }
    return ids.length ? this.breakpointReply(ids) : `T${SIGTRAP}`;
  }

  /** qRcmd: the answer is the command's console text; a command that starts a scan answers when it stops. */
  private monitor(hex: string): string | null {
    const cmd = hexToText(hex);
    if (cmd === null) return 'E01';
    const before = this.ctx.machine.cpu.icount;
    this.waiting = 'rcmd';
    this.rcmdAsync = false;
    this.rcmdOut = [];
    try {
      const text = this.monitorCommand(cmd.trim());
      if (text) this.rcmdOut.push(text + '\n');
    } catch (e) {
      this.rcmdOut.push(`error: ${(e as Error).message}\n`);
    }
    if (this.ctx.runner.isRunning) {
      this.rcmdAsync = true;
      return null;
    }
    return this.monitorAnswer(this.ctx.machine.cpu.icount !== before);
  }

  /** The monitor command's collected output; when it moved the CPU in time, how to make gdb see it. */
  private monitorAnswer(moved: boolean): string {
    this.waiting = null;
    this.rcmdAsync = false;
    const cpu = this.ctx.machine.cpu;
    if (moved) this.rcmdOut.push(`now at ${segOff(cpu.sel[CS], cpu.eip)}, instruction ${cpu.icount}: run 'maint flush register-cache' so gdb shows it\n`);
    const out = this.rcmdOut.join('');
    this.rcmdOut = [];
    return out ? textToHex(out) : 'OK';
  }

  private monitorCommand(cmd: string): string {
    const ctx = this.ctx;
    if (cmd === 'help' || cmd === '?') return MONITOR_HELP + consoleAnswer(ctx, 'help');
    let m = /^pc\s+linear(?:\s+(on|off))?$/i.exec(cmd);
    if (m) {
      if (m[1]) this.view.linear = m[1].toLowerCase() === 'on';
      return `pc linear ${this.view.linear ? 'on: eip reads CS.base+EIP' : 'off: eip reads EIP'}${m[1] ? " (run 'maint flush register-cache')" : ''}`;
    }
    if (/^mode$/i.test(cmd)) return consoleAnswer(ctx, 'info mode');
    m = /^break(?:\s+(.+))?$/i.exec(cmd);
    if (m) {
      if (!m[1]) return this.monitorBreaks.length ? this.monitorBreaks.map((b, i) => `${i + 1}: ${b.text} (linear 0x${b.linear.toString(16)})`).join('\n') : 'no monitor breakpoints';
      const a = parseAddressSpec(ctx.machine.cpu, m[1]);
      this.monitorBreaks.push({ text: m[1].trim(), ...a });
      this.applyMonitorBreaks();
      return `breakpoint ${this.monitorBreaks.length} at ${m[1].trim()}${a.exact ? ' (CS:IP exact)' : a.phys !== undefined ? ' (physical)' : ''}, linear 0x${a.linear.toString(16)}`;
    }
    m = /^delete\s+(all|\d+)$/i.exec(cmd);
    if (m) {
      if (m[1].toLowerCase() === 'all') this.monitorBreaks = [];
      else if (+m[1] >= 1 && +m[1] <= this.monitorBreaks.length) this.monitorBreaks.splice(+m[1] - 1, 1);
      else throw new RequestError(`no monitor breakpoint ${m[1]}`);
      this.applyMonitorBreaks();
      return `${this.monitorBreaks.length} monitor breakpoints left`;
    }
    m = /^keys\s+(.+)$/i.exec(cmd);
    if (m) {
      typeText(ctx, m[1].replace(/\\n/g, '\n'));
      return 'keys queued';
    }
    return consoleAnswer(ctx, cmd);
  }
}

/** A debug-console command's answer; one that runs as a task (goto) answers with its stop, which the monitor reports. */
function consoleAnswer(ctx: SessionContext, expression: string): string {
  const r = evaluateRequest(ctx, { expression, context: 'repl' });
  return r instanceof Promise ? '' : r.result;
}
