// The PC: CPU, memory, devices, disks and (when installed) the BIOS, run in bursts until a stop
// condition. Front ends (CLI, debug adapter) only talk to this class: run() returns a stop reason,
// and the state is read through the public fields. Device time follows the instruction count.
// Pure TypeScript: no Node or VS Code imports. See docs/ARCHITECTURE.md.

import { defaultFpu, type FpuName, fpuMismatch } from '../protocol/launchConfig';
import { bootSequence, type BootOrder, resolveBootOrder } from '../protocol/bootOrder';
import { type BootChoice, chooseBootDevice } from './disk/bootChoice';
import { X87 } from './cpu/fpu/x87';
import { installFpu } from './cpu/exec/x87';
import { ATTN_IRQ, ATTN_STOP, Cpu, type CpuModel } from './cpu/cpu';
import { MODEL_TRAITS, installModel } from './cpu/dispatch';
import {
  BreakpointSet, RUN_BREAKPOINT, RUN_HALT, RUN_HOOK, RUN_SHUTDOWN, refreshAttention, runCpu, serviceInterrupt,
} from './cpu/execute';
import { chainPath, type FaultLink, lastRule } from './cpu/faultChain';
import { CS, DS, EDX, EFLAGS_IF, ES, ESP, FS, GS, SS } from './cpu/regs';
import { IoBus } from './devices/ioBus';
import { PcDevices, type ResetSource } from './devices/pcDevices';
import type { DiskImage } from './disk/diskImage';
import type { CdImage } from './disk/cdrom';
import { Memory } from './memory/bus';

export type StopReason =
  | 'until' | 'max' | 'halt' | 'triple-fault' | 'shutdown' | 'breakpoint' | 'watchpoint' | 'pause' | 'step'
  | 'vmentry-failure' | 'emulation' | 'poweroff' | 'error';

export interface StopInfo {
  reason: StopReason;
  /** A sentence for the user (which breakpoint, which reset source, ...). */
  detail?: string;
}

export interface MachineOptions {
  cpu?: CpuModel;
  /** Default the model's (protocol/launchConfig.ts MODEL_FPUS). */
  fpu?: FpuName;
  /** Guest RAM in MiB (default 64). */
  memoryMB?: number;
  /** Drive 00h (shorthand for `floppies: [floppy]`). */
  floppy?: DiskImage | null;
  /** Drives 00h and 01h (A and B). */
  floppies?: DiskImage[];
  /** Drive 80h (and 81h, ...). */
  hardDisks?: DiskImage[];
  /** A CD drive. */
  cdrom?: CdImage | null;
  /**
   * The boot order over these drives (protocol resolveBootOrder); default: the CD, then the floppy
   * when there is one, then the hard disk.
   */
  bootOrder?: BootOrder;
  /**
   * A firmware image (`--bios`) will boot the machine: the CD is only a drive on the IDE channel and
   * no drive number stands for its El Torito emulation (the firmware makes its own).
   */
  firmware?: boolean;
  /** Keys queued for the keyboard from the start. */
  keys?: string;
  /**
   * Time as under QEMU's `-icount shift=N` (emulator/devices/clock.ts): the devices' clock and the TSC
   * count 2^N ns an instruction, for the lock-step with QEMU.
   */
  icountShift?: number;
  /** The PIIX4 ACPI function and ACPI tables (default); false as QEMU's `-machine acpi=off` (PcDevicesOptions.acpi). */
  acpi?: boolean;
}

export interface RunOptions {
  /** Instruction budget for this call. */
  maxInstructions: number;
  /** Stop before the instruction at any of these (see Machine.addressMatches). */
  until?: StopAddress[];
  /** Called before every instruction (slow path); return a stop reason to stop before it. */
  beforeInstruction?: ((m: Machine) => StopReason | null) | null;
  /** Instructions per burst between checks of `shouldCancel` (default 1,000,000). */
  burst?: number;
  /** Polled between bursts: long runs can be cancelled. */
  shouldCancel?: () => boolean;
}

/** `SSSS:OOOO` (exact CS selector and IP) or a linear address. */
export type StopAddress = { kind: 'segoff'; segment: number; offset: number } | { kind: 'linear'; address: number };

/** Services installed behind the IVT (emulator/bios); the machine only knows this shape. */
export interface BiosHooks {
  /** Puts the BIOS into memory and the devices into their post-BIOS state. */
  install(m: Machine): void;
}

export class Machine {
  readonly model: CpuModel;
  readonly mem: Memory;
  readonly io: IoBus;
  readonly cpu: Cpu;
  readonly devices: PcDevices;
  /**
   * Drives 00h and 01h, and 80h, 81h, ...: with the built-in BIOS in boot-priority order (as SeaBIOS
   * numbers them); with a firmware in their places (A, B; the IDE places), the firmware numbering them.
   */
  readonly floppies: DiskImage[];
  readonly hardDisks: DiskImage[];
  /** The floppies and hard disks in the order a BIOS numbers them (00h, 01h; 80h, ...): by boot priority, as SeaBIOS maps them (a firmware too). */
  readonly numbered: { floppies: DiskImage[]; hardDisks: DiskImage[] };
  /** The boot order (CMOS 3Dh/38h and fw_cfg's bootorder tell a firmware the same). */
  readonly bootOrder: BootOrder;
  /** What the built-in BIOS boots along bootOrder (null with a firmware, which chooses itself). */
  readonly bootChoice: BootChoice | null;
  readonly cdrom: CdImage | null;
  /** The drive (00h or 80h) the CD's floppy or hard-disk emulation entry stands for, if any. */
  readonly cdromEmulated: DiskImage | null;
  /** User breakpoints (linear addresses) and those of the current run's `until`. */
  readonly breakpoints = new BreakpointSet();
  /** Set when a device pulsed the reset line (the run stops with 'shutdown'). */
  resetSource: ResetSource | null = null;
  private stopRequested = false;
  /** Resume past a breakpoint at this linear address without hitting it again. */
  /**
   * The linear address the next run starts at without stopping on a breakpoint there (-1: none): the
   * instruction a breakpoint stop or time travel arrived at.
   */
  resumeAt = -1;

  constructor(opts: MachineOptions = {}) {
    this.model = opts.cpu ?? '80386';
    const traits = MODEL_TRAITS[this.model];
    const mb = opts.memoryMB ?? 64;
    if (!Number.isInteger(mb) || mb < 1 || mb > 3072) throw new Error(`memoryMB must be an integer from 1 to 3072, not ${mb}`);
    this.mem = new Memory({ ramSize: mb * 1024 * 1024 });
    // The 8086 has 20 address lines and the 80286 24; A20 is a gate on top of that.
    this.mem.a20Mask = traits.addressMask | 0;
    this.io = new IoBus();
    this.cdrom = opts.cdrom ?? null;
    const floppies = opts.floppies ?? (opts.floppy ? [opts.floppy] : []);
    const hardDisks = opts.hardDisks ?? [];
    const order = opts.bootOrder ?? resolveBootOrder(null, floppies.length ? 'fd' : null, { floppies: floppies.length, hardDisks: hardDisks.length, cdrom: this.cdrom !== null });
    if (typeof order === 'string') throw new Error(order);
    if (order.drives.length !== floppies.length + hardDisks.length + (this.cdrom ? 1 : 0)) throw new Error('bootOrder was resolved over other drives than the machine has');
    this.bootOrder = order;
    // Each kind's drives numbered by boot priority, as SeaBIOS maps them.
    const numbered = (kind: 'fd' | 'hd', list: DiskImage[]) => order.drives.filter((d) => d.kind === kind).map((d) => list[d.index]);
    const byPriority = { floppies: numbered('fd', floppies), hardDisks: numbered('hd', hardDisks) };
    this.bootChoice = opts.firmware ? null
      : chooseBootDevice(bootSequence(order), { floppy: byPriority.floppies[0] ?? null, hardDisk: byPriority.hardDisks[0] ?? null, cdrom: this.cdrom });
    // A floppy or hard-disk emulation CD the BIOS boots becomes drive 00h or 80h and the other drives
    // of its kind move up, as SeaBIOS maps it at boot (a firmware makes its own).
    this.cdromEmulated = this.bootChoice?.device === 'cdrom' ? this.cdrom!.emulatedDisk() : null;
    this.numbered = {
      floppies: this.cdromEmulated?.kind === 'floppy' ? [this.cdromEmulated, ...byPriority.floppies] : byPriority.floppies,
      hardDisks: this.cdromEmulated?.kind === 'hard' ? [this.cdromEmulated, ...byPriority.hardDisks] : byPriority.hardDisks,
    };
    // The built-in BIOS serves the drives by number; a firmware finds them in their places.
    this.floppies = opts.firmware ? floppies : this.numbered.floppies;
    this.hardDisks = opts.firmware ? hardDisks : this.numbered.hardDisks;
    this.devices = new PcDevices({
      memory: this.mem, io: this.io, keys: opts.keys, icountShift: opts.icountShift, acpi: opts.acpi,
      floppyTypes: [this.floppies[0]?.floppyDriveType ?? 0, this.floppies[1]?.floppyDriveType ?? 0], hardDisks: this.hardDisks.length,
      bootOrder: this.bootOrder.kinds,
    });
    this.cpu = new Cpu(this.model, traits, this.mem, this.io);
    // QEMU's TSC under -icount counts its virtual nanoseconds, and its instructions the pass that leaves a REP.
    if (opts.icountShift !== undefined) {
      this.cpu.tscShift = BigInt(opts.icountShift);
      this.cpu.repEndPass = true;
    }
    installModel(this.cpu);
    const cpu = this.cpu;
    const fpu = opts.fpu ?? defaultFpu(this.model);
    const mismatch = fpuMismatch(this.model, fpu);
    if (mismatch) throw new Error(mismatch);
    if (fpu !== 'none') this.attachFpu();
    this.devices.pic.onChange = (level) => {
      cpu.irqPending = level;
      if (level && cpu.flags & EFLAGS_IF) cpu.attn |= ATTN_IRQ;
    };
    cpu.acknowledgeIrq = () => this.devices.pic.acknowledge();
    this.devices.onPowerOff = () => { cpu.attn |= ATTN_STOP; };
    this.devices.onReset = (source) => {
      this.resetSource = source;
      cpu.attn |= ATTN_STOP;
    };
    // A device reprogrammed mid-burst may have an earlier event than the burst assumed.
    this.devices.clock.onReschedule = () => { cpu.attn |= ATTN_STOP; };
    // Ports see the device clock at the exact instruction that accesses them.
    const clock = this.devices.clock;
    let base = 0;
    this.syncClock = () => { clock.now = base + cpu.timeCount; };
    this.setClockBase = (b) => { base = b; };
    this.io.beforeAccess = this.syncClock;
  }

  /**
   * An x87 (an 80387, or the 80486's and Pentium's own): the escapes run it, FERR# (an unmasked
   * exception with CR0.NE = 0) raises IRQ13, and a write to port F0h clears that latch, as on the
   * PC/AT (SDM Vol. 1 §8.7; D.2.1).
   */
  private attachFpu(): void {
    const cpu = this.cpu, pic = this.devices.pic;
    cpu.fpu = new X87();
    cpu.fpu.reset();
    installFpu(cpu);
    cpu.ferr = () => pic.raiseIrq(13);
    this.io.register(0xf0, 1, { in8: () => 0xff, out8: () => pic.lowerIrq(13) });
  }

  private readonly syncClock: () => void;
  private readonly setClockBase: (b: number) => void;

  /**
   * Loads `sector` at 0000:7C00 and sets the boot register state (no BIOS services); `at` loads
   * longer boot code (an El Torito image) at another segment, entered at offset 0 of it.
   */
  loadBootSector(sector: Uint8Array, drive: number, at?: { segment: number }): void {
    const segment = at?.segment ?? 0x07c0;
    this.mem.poke(segment << 4, at ? sector : sector.subarray(0, 512));
    const cpu = this.cpu;
    // Entered as SeaBIOS does: the segment's address in canonical form, 07C0h → 0000:7C00.
    const cs = segment & 0xf000;
    for (const s of [ES, CS, SS, DS, FS, GS]) cpu.setCache(s, s === CS ? cs : 0, s === CS ? cs << 4 : 0, 0xffff, s === CS ? 0x9b : 0x93);
    cpu.eip = (segment & 0x0fff) << 4;
    cpu.r32[ESP] = 0x7c00;
    cpu.r32[EDX] = drive;
    cpu.icount = 0;
    cpu.extraTime = 0;
    this.setClockBase(this.devices.clock.now);
  }

  /** Drive 00h, if any. */
  get floppy(): DiskImage | null {
    return this.floppies[0] ?? null;
  }

  /** The disk the built-in BIOS boots (bootChoice): the floppy as 00h or the first hard disk as 80h; null for a CD. */
  get bootDrive(): { disk: DiskImage; number: number } | null {
    const device = this.bootChoice?.device;
    if (device === 'fd') return { disk: this.floppies[0], number: 0 };
    if (device === 'hd') return { disk: this.hardDisks[0], number: 0x80 };
    return null;
  }

  /** Asks a running `run()` to stop at the next instruction boundary (DAP pause). */
  requestStop(): void {
    this.stopRequested = true;
    this.cpu.attn |= ATTN_STOP;
  }

  /** Withdraws a stop request nobody will act on (one raised by a debugger's replay of history). */
  cancelStopRequest(): void {
    this.stopRequested = false;
    this.cpu.attn &= ~ATTN_STOP;
  }

  /**
   * Lets `n` instructions of time pass without running any (the TSC and the devices' clock move on;
   * due events come at the next run): what a lock-step comparison does where QEMU spent them waiting
   * for its host (lockstep.ts, the busy drive rule).
   */
  passTime(n: number): void {
    this.cpu.extraTime += n;
  }

  /** Linear address of CS:EIP. */
  get pcLinear(): number {
    return (this.cpu.base[CS] + this.cpu.eip) >>> 0;
  }

  private matches(addrs: StopAddress[]): boolean {
    const lin = this.pcLinear;
    for (const a of addrs) {
      if (a.kind === 'linear' ? a.address === lin : a.segment === this.cpu.sel[CS] && a.offset === this.cpu.eip) return true;
    }
    return false;
  }

  run(opts: RunOptions): StopInfo {
    const cpu = this.cpu;
    const until = opts.until ?? [];
    const bps = this.breakpoints;
    // `until` addresses join the breakpoint set for this run, seg:off ones as CS:IP breakpoints.
    for (const a of until) {
      if (a.kind === 'linear') bps.add(a.address);
      else bps.addCsIp(a.segment, a.offset);
    }
    const userHook = opts.beforeInstruction ?? null;
    let hookReason: StopReason | null = null;
    const hook = userHook ? () => (hookReason = userHook(this)) !== null : null;
    const burst = opts.burst ?? 1_000_000;
    const end = cpu.icount + opts.maxInstructions;
    try {
      for (;;) {
        if (this.stopRequested) {
          this.stopRequested = false;
          cpu.attn &= ~ATTN_STOP;
          refreshAttention(cpu);
          return { reason: 'pause' };
        }
        if (this.resetSource) {
          const src = this.resetSource;
          this.resetSource = null;
          cpu.attn &= ~ATTN_STOP;
          return { reason: 'shutdown', detail: `CPU reset requested through ${src}` };
        }
        if (this.devices.pm?.poweredOff) {
          cpu.attn &= ~ATTN_STOP;
          return { reason: 'poweroff', detail: POWER_OFF_DETAIL };
        }
        if (until.length && this.matches(until) && this.resumeAt !== this.pcLinear) return { reason: 'until' };
        const left = end - cpu.icount;
        if (left <= 0) return { reason: 'max' };
        if (opts.shouldCancel?.()) return { reason: 'pause', detail: 'cancelled' };
        const slice = Math.max(1, Math.min(left, burst, this.devices.nextEventIn()));
        cpu.attn &= ~ATTN_STOP;
        refreshAttention(cpu);
        this.syncClock();
        const r = runCpu(cpu, slice, { breakpoints: bps, beforeInstruction: hook, skipBreakAt: this.resumeAt });
        this.resumeAt = -1;
        // Port accesses already moved the clock to the instruction that made them, so bring it to
        // the count and deliver due events (advancing by the slice would count those instructions twice).
        this.syncClock();
        this.devices.advance(0);
        if (r === RUN_SHUTDOWN) return { reason: 'triple-fault', detail: tripleFaultDetail(cpu.faultChain) };
        if (r === RUN_BREAKPOINT) {
          if (until.length && this.matches(until)) return { reason: 'until' };
          this.resumeAt = this.pcLinear;
          return { reason: 'breakpoint' };
        }
        if (r === RUN_HOOK) {
          this.resumeAt = this.pcLinear;
          return { reason: hookReason ?? 'step' };
        }
        if (r === RUN_HALT) {
          const stop = this.idleUntilInterrupt(end);
          if (stop) return stop;
        }
      }
    } finally {
      for (const a of until) {
        if (a.kind === 'linear') bps.delete(a.address);
        else bps.deleteCsIp(a.segment, a.offset);
      }
    }
  }

  /** HLT: with IF=1 let device time pass to the next event; with IF=0 or nothing scheduled, stop. */
  private idleUntilInterrupt(end: number): StopInfo | null {
    const cpu = this.cpu;
    if (!(cpu.flags & EFLAGS_IF)) return { reason: 'halt', detail: 'HLT with interrupts disabled' };
    if (cpu.irqPending) {
      // Wake up: deliver the interrupt here, since runCpu returns at once while the CPU is halted.
      serviceInterrupt(cpu);
      refreshAttention(cpu);
      return null;
    }
    const wait = this.devices.nextEventIn();
    if (!Number.isFinite(wait)) return { reason: 'halt', detail: 'HLT with no interrupt source armed' };
    // Halted time passes as instruction slots, so device time stays a function of the count.
    const step = Math.min(wait, Math.max(1, end - cpu.icount));
    cpu.icount += step;
    this.devices.advance(step);
    this.syncClock();
    if (cpu.icount >= end) return { reason: 'max' };
    return null;
  }
}

/** Why a run stops for good once the guest switched the machine off. */
export const POWER_OFF_DETAIL = 'the guest switched the machine off: SLP_EN with sleep type 0, soft off, written to PM1a_CNT';

/** 'triple fault: #GP → #DF → shutdown (IDT.GATE.NOT_PRESENT)', or the bare sentence without a chain. */
function tripleFaultDetail(chain: readonly FaultLink[]): string {
  const rule = lastRule(chain);
  return chain.length ? `triple fault: ${chainPath(chain)}${rule ? ` (${rule.id})` : ''}` : 'triple fault: the CPU shut down';
}
