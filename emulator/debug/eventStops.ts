// Stops on machine events that are not exceptions, for the adapter's "exception breakpoint" filters:
// software INT n (condition over `vector`, `ah`, ...), I/O port access (`port`, `value`, `size`, `out`),
// mode switches (CR0.PE/PG changes, EFLAGS.VM entry/exit) and descriptor-table loads (LGDT, LIDT,
// LLDT, LTR). Each stops after the instruction; opcodes are observed by wrapping dispatch entries.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §9.9 (mode switching), §2.4 (LGDT…LTR).

import type { Cpu } from '../cpu/cpu';
import { CR0_PE, CR0_PG, CS, EFLAGS_VM } from '../cpu/regs';
import type { PortObserver } from '../devices/ioBus';
import { selectRow } from '../decode/opmap';
import { SYS_CR, SYS_TABLE } from '../decode/sysWrites';
import type { OpRow } from '../decode/table';
import type { Machine } from '../machine';
import { evaluate } from './expression';
import { segOff } from './machineView';
import { peekModrm, watchOps } from './opWatch';
import { hexDigits } from '../../protocol/format';

export interface EventFilterConfig {
  /** Software INT n: null = off, '' = every INT, else a condition (names: vector, and all registers). */
  softInt: string | null;
  /** Port I/O: null = off, '' = every access, else a condition (names: port, value, size, out). */
  io: string | null;
  modeSwitch: boolean;
  tableLoad: boolean;
}

export const NO_EVENT_FILTERS: EventFilterConfig = { softInt: null, io: null, modeSwitch: false, tableLoad: false };

/** Forms that may change CR0.PE/PG or EFLAGS.VM (MOV CR0, LMSW, IRET, task switches, INT from vm86). */
const switchesMode = (r: OpRow) => (r.sysWritten & SYS_CR) !== 0 || (r.flagsWritten & EFLAGS_VM) !== 0;
const loadsTable = (r: OpRow) => (r.sysWritten & SYS_TABLE) !== 0;

export class EventStops implements PortObserver {
  config: EventFilterConfig = NO_EVENT_FILTERS;
  private hit: string | null = null;
  private unwatch: (() => void) | null = null;

  constructor(private readonly machine: Machine) {}

  /** The description of the event that stopped the run, once. */
  takeHit(): string | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }

  configure(config: EventFilterConfig): void {
    this.config = config;
    const cpu = this.machine.cpu;
    this.machine.io.observer = config.io !== null ? this : null;
    const needOps = config.modeSwitch || config.tableLoad;
    if (needOps && !this.unwatch) this.install(cpu);
    if (!needOps && this.unwatch) this.uninstall();
  }

  private stop(what: string): void {
    if (this.hit) return;
    this.hit = what;
    this.machine.requestStop();
  }

  /** Conditions that fail to evaluate stop too, with the error, so a typo is never silent. */
  private test(cond: string, vars: Record<string, number>): boolean | string {
    if (!cond.trim()) return true;
    try {
      return evaluate(this.machine.cpu, cond, { vars }).value !== 0;
    } catch (e) {
      return `condition '${cond}': ${(e as Error).message}`;
    }
  }

  /** From the interrupt hook: a software INT n about to be delivered. */
  noteSoftInt(cpu: Cpu, vector: number): void {
    const cond = this.config.softInt;
    if (cond === null) return;
    const r = this.test(cond, { vector });
    if (r === false) return;
    const where = segOff(cpu.sel[CS], cpu.prevEip);
    this.stop(`INT ${hexDigits(vector, 2)}h (AH=${hexDigits(cpu.r8[1], 2)}h) at ${where}${typeof r === 'string' ? `; ${r}` : ''}`);
  }

  onIn(port: number, size: number, value: number): void {
    this.io(port, size, value, false);
  }

  onOut(port: number, size: number, value: number): void {
    this.io(port, size, value, true);
  }

  private io(port: number, size: number, value: number, out: boolean): void {
    const cond = this.config.io;
    if (cond === null || this.hit) return;
    const r = this.test(cond, { port, value, size, out: +out });
    if (r === false) return;
    const cpu = this.machine.cpu;
    this.stop(`${out ? 'OUT' : 'IN'} port ${hexDigits(port, 4)}h ${out ? '←' : '→'} ${hexDigits(value, size * 2)}h at ${segOff(cpu.sel[CS], cpu.prevEip)}${typeof r === 'string' ? `; ${r}` : ''}`);
  }

  private install(cpu: Cpu): void {
    // Mode: compare CR0.PE/PG and EFLAGS.VM around the forms that may change them. Table loads: the
    // row that ran names the register (LGDT ...).
    const undo = [
      watchOps(cpu, switchesMode, (h) => (c) => {
        const cr0 = c.cr0, vm = c.flags & EFLAGS_VM, at = segOff(c.sel[CS], c.prevEip);
        h(c);
        if (!this.config.modeSwitch) return;
        const changed: string[] = [];
        if ((cr0 ^ c.cr0) & CR0_PE) changed.push(`CR0.PE ${+!!(cr0 & CR0_PE)}→${+!!(c.cr0 & CR0_PE)}`);
        if ((cr0 ^ c.cr0) & CR0_PG) changed.push(`CR0.PG ${+!!(cr0 & CR0_PG)}→${+!!(c.cr0 & CR0_PG)}`);
        if (vm !== (c.flags & EFLAGS_VM)) changed.push(vm ? 'left vm86' : 'entered vm86');
        if (changed.length) this.stop(`mode switch: ${changed.join(', ')} by the instruction at ${at}`);
      }),
      watchOps(cpu, loadsTable, (h, e) => (c) => {
        const row = selectRow(e.rows, peekModrm(c));
        const at = segOff(c.sel[CS], c.prevEip);
        h(c);
        if (!this.config.tableLoad || !row) return;
        this.stop(`${row.mnemonic.toUpperCase()} at ${at}: GDTR ${hexDigits(c.gdtrBase, 8)}/${hexDigits(c.gdtrLimit, 4)}, IDTR ${hexDigits(c.idtrBase, 8)}/${hexDigits(c.idtrLimit, 4)}`);
      }),
    ];
    this.unwatch = () => undo.reverse().forEach((u) => u());
  }

  private uninstall(): void {
    this.unwatch?.();
    this.unwatch = null;
  }
}
