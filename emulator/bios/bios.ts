// The built-in PC BIOS: services written in TypeScript behind IVT vectors that point at trap stubs
// in segment F000 (rom.ts), so guests that hook or chain a vector (most loaders hook INT 13h) reach
// them exactly as on a PC. The trap opcode 0F 37 nn runs service nn only when CS:IP lies in the
// ROM (elsewhere it stays #UD); the service edits registers and the FLAGS image on the stack, and
// the stub's IRET returns. Never throws for a guest request: unsupported functions answer CF=1 and
// are logged. Pure TypeScript: no Node or VS Code imports. IBM PC/AT BIOS; Ralf Brown's list.

import { type Cpu, type Handler } from '../cpu/cpu';
import { UD_OPCODE } from '../cpu/faultRules';
import { CR0_PE, CS, DS, EAX, EBP, EBX, ECX, EDI, EDX, EFLAGS_CF, EFLAGS_IF, EFLAGS_ZF, ES, ESI, ESP, FS, GS, SS } from '../cpu/regs';
import type { BiosHooks, Machine } from '../machine';
import * as L from './layout';
import { cpuidLeaf1 } from '../cpu/exec/system';
import { buildRom, TRAP_ENTRIES, TRAP_POST } from './rom';
import { initBda } from './bda';
import { int10, initVideo } from './int10';
import { int13 } from './int13';
import { int15 } from './int15';
import { int09, int16 } from './int16';
import { int1a, int70 } from './int1a';
import { int11, int12, int14, int17, int18, int19 } from './misc';
import { hexDigits } from '../../protocol/format';
import { CD_DRIVE, CdImageError, MEDIA_NAMES, type BootEntry } from '../disk/cdrom';

/** A service returns DONE (the stub's IRET follows) or WAIT (re-run the trap after the next interrupt). */
export const DONE = 0, WAIT = 1;
export type Service = (b: Bios) => number | void;

export interface BiosLogEntry {
  /** Instruction count when the call was made. */
  n: number;
  vector: number;
  /** AX at the call. */
  ax: number;
  message: string;
}

/** Most log entries kept; later ones are only counted, so a guest in a loop cannot exhaust memory. */
const MAX_LOG = 1000;

export interface BiosOptions {
  /** Called for each new log entry (the CLI can print them as they come). */
  onLog?: (e: BiosLogEntry) => void;
}

export class Bios implements BiosHooks {
  private machine: Machine | null = null;
  /** Unsupported or failed requests, in order (the CLI shows them). */
  readonly log: BiosLogEntry[] = [];
  /** Entries not kept because the log was full. */
  dropped = 0;
  /** Warnings from boot (missing 55AA, ...). */
  readonly warnings: string[] = [];
  /** The El Torito entry the CD was booted from (INT 13h AX=4B01h reports it). */
  cdromBoot: BootEntry | null = null;
  /** Device time at which a running INT 15h AH=86h wait ends, or -1. */
  waitUntil = -1;
  /** CMOS register B before the wait switched the periodic interrupt on. */
  waitSavedRegB = 0;
  private readonly services: (Service | undefined)[] = new Array(256);
  private readonly onLog: ((e: BiosLogEntry) => void) | null;

  constructor(opts: BiosOptions = {}) {
    this.onLog = opts.onLog ?? null;
    const s = this.services;
    s[0x09] = int09; s[0x10] = int10; s[0x11] = int11; s[0x12] = int12; s[0x13] = int13; s[0x14] = int14;
    s[0x15] = int15; s[0x16] = int16; s[0x17] = int17; s[0x18] = int18; s[0x19] = int19; s[0x1a] = int1a;
    s[0x70] = int70; s[TRAP_POST] = int19;
  }

  get m(): Machine {
    if (!this.machine) throw new Error('BIOS not installed');
    return this.machine;
  }

  get cpu(): Cpu {
    return this.m.cpu;
  }

  // ---- installation and boot -------------------------------------------------------------

  /** ROM, IVT, BDA, EBDA, video, devices in their post-BIOS state, and the trap opcode. */
  install(m: Machine): void {
    this.machine = m;
    m.mem.mapRom(L.ROM_BASE, buildRom(m.hardDisks, { ramBytes: m.mem.ramSize, cpu: m.model, cpuHz: m.devices.clock.instructionsPerSecond, processorId: cpuidLeaf1(m.cpu) }));
    this.initIvt();
    initBda(this);
    m.devices.programAsBios(m.io);
    // The BIOS hands over with A20 enabled, as SeaBIOS does (A20=1 at 0000:7C00 under QEMU 7.2).
    m.mem.setA20(true);
    // POST leaves the x87 as FNINIT does (all exceptions masked, every register empty).
    m.cpu.fpu?.fninit();
    initVideo(this);
    this.installTrap(m.cpu);
  }

  private initIvt(): void {
    const mem = this.m.mem;
    const vec = (n: number, off: number, seg = L.BIOS_SEGMENT) => {
      mem.write16(n * 4, off);
      mem.write16(n * 4 + 2, seg);
    };
    for (let n = 0; n < 256; n++) vec(n, 0, 0);
    for (let n = 0; n < 0x78; n++) vec(n, L.ENTRY_IRET);
    for (let n = 0x08; n < 0x10; n++) vec(n, L.ENTRY_IRQ_MASTER);
    for (let n = 0x70; n < 0x78; n++) vec(n, L.ENTRY_IRQ_SLAVE);
    vec(0x02, L.ENTRY_NMI);
    vec(0x05, L.ENTRY_INT05);
    vec(0x08, L.ENTRY_INT08);
    vec(0x09, L.ENTRY_INT09);
    vec(0x0e, L.ENTRY_INT0E);
    for (const e of TRAP_ENTRIES) vec(e.vector, e.offset);
    vec(0x1d, L.VIDEO_PARAMS);
    vec(0x1e, L.DISKETTE_PARAMS);
    // The graphics-mode fonts: INT 1Fh the 8x8 glyphs 80h–FFh, INT 43h the font of the 16-line cell.
    vec(0x1f, L.FONT_8X8 + 128 * 8);
    vec(0x43, L.FONT_8X16);
    vec(0x41, this.m.hardDisks[0] ? L.ENTRY_HD_PARAMS : 0, this.m.hardDisks[0] ? L.BIOS_SEGMENT : 0);
    vec(0x46, this.m.hardDisks[1] ? L.ENTRY_HD_PARAMS + 16 : 0, this.m.hardDisks[1] ? L.BIOS_SEGMENT : 0);
    for (let n = 0x60; n < 0x68; n++) vec(n, 0, 0);
  }

  /**
   * Patches the trap into this CPU's dispatch table: 0F 37 on the 80286/80386 (undefined there),
   * and on the 8086, where 0F is POP CS, a wrapper that only traps inside the ROM.
   */
  private installTrap(cpu: Cpu): void {
    const run = (c: Cpu) => {
      const id = c.fetch8();
      // The trap is not an instruction: BIOS services are invisible in the count and the trace.
      c.icount--;
      this.dispatch(id);
    };
    const inRom = (c: Cpu) => {
      const lin = (c.base[CS] + c.prevEip) >>> 0;
      return lin >= L.ROM_BASE && lin < L.ROM_BASE + L.ROM_SIZE && (!(c.cr0 & CR0_PE) || c.vm86);
    };
    if (cpu.model === '8086') {
      const popCs = cpu.ops[0x0f];
      cpu.ops[0x0f] = (c) => {
        if (!inRom(c) || c.mem.read8((c.base[CS] + c.eip) & c.mem.a20Mask) !== 0x37) return popCs(c);
        c.fetch8();
        run(c);
      };
      return;
    }
    const trap: Handler = (c) => {
      if (!inRom(c)) c.faultRule(UD_OPCODE, -1, -1, 0);
      run(c);
    };
    cpu.ops[0x100 | 0x37] = trap;
    cpu.ops[0x300 | 0x37] = trap;
  }

  /** True when the instruction at linear `lin` is a BIOS trap (the trace leaves these out). */
  isTrapAt(lin: number): boolean {
    if (lin < L.ROM_BASE || lin >= L.ROM_BASE + L.ROM_SIZE - 2) return false;
    // peek: a debugger read, so a watchpoint on the ROM is not hit by the trace looking at it.
    const b = this.m.mem.peek(lin, 2);
    return b[0] === L.TRAP_OPCODE[0] && b[1] === L.TRAP_OPCODE[1];
  }

  /**
   * Boots the device Machine.bootChoice found along the boot order (the devices passed over are
   * logged, as SeaBIOS prints "Boot failed"): the CD (bootCdrom), or sector 0 of the floppy (00h) or
   * first hard disk (80h) loaded to 0000:7C00 with the registers SeaBIOS 1.16 leaves under QEMU:
   * EAX=AA55h, EDX=drive, SS:SP=0000:6F04, all other general registers 0, all segments 0, EFLAGS=0202h
   * (IF on), CR0 as after reset. Only DL and CS:IP are architectural; the rest helps comparing with
   * QEMU. Returns false (and logs why) when there is nothing to boot.
   */
  boot(): boolean {
    const m = this.m;
    const cpu = m.cpu;
    const choice = m.bootChoice;
    for (const p of choice?.passed ?? []) this.logEntry(0x19, p);
    if (choice?.device === 'cdrom') return this.bootCdrom();
    const drive = m.bootDrive;
    if (!drive) {
      this.logEntry(0x19, 'no bootable device: no floppy, hard disk or CD is attached');
      return false;
    }
    const sector = drive.disk.sector(0);
    if (choice?.unsigned) {
      const b = (i: number) => sector[i].toString(16).toUpperCase().padStart(2, '0');
      const w = `${drive.disk.name}: sector 0 does not end with 55 AA (bytes 510–511 are ${b(510)} ${b(511)}); booting it anyway (the signature is not required, as many BIOSes do not require it)`;
      this.warnings.push(w);
    }
    m.loadBootSector(sector, drive.number);
    cpu.r32.fill(0);
    cpu.r32[EAX] = 0xaa55;
    cpu.r32[EDX] = drive.number;
    cpu.r32[ESP] = L.BOOT_SP;
    cpu.setFlags(0x202);
    cpu.halted = false;
    return true;
  }

  /**
   * El Torito boot: the initial entry's sectorCount 512-byte virtual sectors from its load RBA go
   * to its load segment (07C0h by default), entered at the canonical seg:off (0000:7C00) with the
   * registers of a disk boot (but SP=6F3Ch) and DL=E0h, or for floppy/hard-disk emulation the emulated drive
   * (00h/80h, Machine.cdromEmulated). A bad catalogue or an image that does not fit below the EBDA
   * is logged and returns false. `again` (INT 19h) loads through the memory bus and keeps the
   * instruction count, as a reboot of a running machine.
   */
  bootCdrom(again = false): boolean {
    const m = this.m;
    const cd = m.cdrom!;
    let entry: BootEntry;
    try {
      entry = cd.bootEntry();
    } catch (e) {
      if (!(e instanceof CdImageError)) throw e;
      this.logEntry(0x19, e.message);
      return false;
    }
    const emulated = m.cdromEmulated;
    const problem = entry.media !== 0 && !emulated
      ? `its boot entry asks for ${MEDIA_NAMES[entry.media]}, but the image ends before its first 512 bytes`
      : entry.sectorCount === 0
        ? 'its boot entry loads 0 sectors'
        : (entry.loadSegment << 4) + entry.sectorCount * 512 > L.EBDA_SEGMENT << 4
          ? `its boot image (${entry.sectorCount} sectors at segment ${hexDigits(entry.loadSegment, 4)}h) does not fit below ${hexDigits(L.EBDA_SEGMENT << 4, 5)}h`
          : entry.loadSegment < 0x50
            ? `its load segment ${hexDigits(entry.loadSegment, 4)}h would overwrite the interrupt vectors and BIOS data`
            : null;
    if (problem) {
      this.logEntry(0x19, `${cd.name}: cannot boot the CD: ${problem}`);
      return false;
    }
    this.cdromBoot = entry;
    const drive = !emulated ? CD_DRIVE : emulated.kind === 'floppy' ? 0x00 : 0x80;
    const code = cd.readBytes(entry.loadRba, entry.sectorCount * 512);
    const cpu = m.cpu;
    if (again) {
      const base = entry.loadSegment << 4;
      for (let i = 0; i < code.length; i++) m.mem.write8(base + i, code[i]);
      // The canonical seg:off of the load segment, as loadBootSector enters it.
      const cs = entry.loadSegment & 0xf000;
      for (const s of [ES, SS, DS, FS, GS]) cpu.setCache(s, 0, 0, 0xffff, 0x93);
      cpu.setCache(CS, cs, cs << 4, 0xffff, 0x9b);
      cpu.eip = (entry.loadSegment & 0x0fff) << 4;
    } else {
      m.loadBootSector(code, drive, { segment: entry.loadSegment });
    }
    cpu.r32.fill(0);
    cpu.r32[EAX] = 0xaa55;
    cpu.r32[EDX] = drive;
    cpu.r32[ESP] = L.BOOT_SP_CDROM;
    cpu.setFlags(0x202);
    cpu.halted = false;
    return true;
  }

  // ---- helpers for services ----------------------------------------------------------------

  private dispatch(id: number): void {
    const cpu = this.cpu;
    const s = this.services[id];
    const r = s ? s(this) : this.unsupported(id, `no BIOS service behind trap ${hexDigits(id, 2)}h`);
    if (r === WAIT) {
      // Wait with interrupts on, as a BIOS does in its HLT loop; the interrupt returns to the trap.
      cpu.eip = cpu.prevEip;
      cpu.setFlags(cpu.getFlags() | EFLAGS_IF);
      cpu.halted = true;
    }
  }

  /** Linear address of the FLAGS image the INT pushed (SS:SP+4 while the stub runs). */
  private flagsImage(): number {
    const cpu = this.cpu;
    return (cpu.base[SS] + ((cpu.r32[ESP] + 4) & cpu.stackMask)) >>> 0;
  }

  private setFlagBit(bit: number, on: boolean): void {
    const cpu = this.cpu;
    const a = this.flagsImage();
    const f = cpu.readLin16(a);
    cpu.writeLin16(a, on ? f | bit : f & ~bit);
  }

  setCF(on: boolean): void {
    this.setFlagBit(EFLAGS_CF, on);
  }

  setZF(on: boolean): void {
    this.setFlagBit(EFLAGS_ZF, on);
  }

  /** The caller's IF (from the FLAGS image). */
  callerIF(): boolean {
    return (this.cpu.readLin16(this.flagsImage()) & EFLAGS_IF) !== 0;
  }

  /** Linear address of seg:off (real mode or vm86: the cached base). */
  lin(seg: number, off: number): number {
    return (this.cpu.base[seg] + (off & 0xffff)) >>> 0;
  }

  get ah(): number { return this.cpu.r8[1]; }
  set ah(v: number) { this.cpu.r8[1] = v; }
  get al(): number { return this.cpu.r8[0]; }
  set al(v: number) { this.cpu.r8[0] = v; }
  get ax(): number { return this.cpu.r16[EAX * 2]; }
  set ax(v: number) { this.cpu.r16[EAX * 2] = v; }
  get bx(): number { return this.cpu.r16[EBX * 2]; }
  set bx(v: number) { this.cpu.r16[EBX * 2] = v; }
  get cx(): number { return this.cpu.r16[ECX * 2]; }
  set cx(v: number) { this.cpu.r16[ECX * 2] = v; }
  get dx(): number { return this.cpu.r16[EDX * 2]; }
  set dx(v: number) { this.cpu.r16[EDX * 2] = v; }
  get si(): number { return this.cpu.r16[ESI * 2]; }
  get di(): number { return this.cpu.r16[EDI * 2]; }
  set di(v: number) { this.cpu.r16[EDI * 2] = v; }
  get bp(): number { return this.cpu.r16[EBP * 2]; }
  set bp(v: number) { this.cpu.r16[EBP * 2] = v; }
  get bl(): number { return this.cpu.r8[12]; }
  set bl(v: number) { this.cpu.r8[12] = v; }
  get bh(): number { return this.cpu.r8[13]; }
  set bh(v: number) { this.cpu.r8[13] = v; }
  get cl(): number { return this.cpu.r8[4]; }
  set cl(v: number) { this.cpu.r8[4] = v; }
  get ch(): number { return this.cpu.r8[5]; }
  set ch(v: number) { this.cpu.r8[5] = v; }
  get dl(): number { return this.cpu.r8[8]; }
  set dl(v: number) { this.cpu.r8[8] = v; }
  get dh(): number { return this.cpu.r8[9]; }
  set dh(v: number) { this.cpu.r8[9] = v; }

  /** BDA/physical memory access for the BIOS's own data (below 1 MiB, no paging: the BIOS's view). */
  rd8(a: number): number { return this.m.mem.read8(a); }
  rd16(a: number): number { return this.m.mem.read16(a); }
  wr8(a: number, v: number): void { this.m.mem.write8(a, v); }
  wr16(a: number, v: number): void { this.m.mem.write16(a, v); }

  /** Brings device time up to the current instruction (before reading the RTC or the PIT). */
  syncDevices(): void {
    this.m.io.beforeAccess?.();
  }

  logEntry(vector: number, message: string): void {
    const e = { n: this.cpu.icount, vector, ax: this.cpu.r16[0], message };
    if (this.log.length < MAX_LOG) this.log.push(e);
    else this.dropped++;
    this.onLog?.(e);
  }

  /**
   * An unsupported function: log it and answer as a BIOS does, CF=1 with AH = `code` (86h
   * "function not supported" for INT 15h and most others, 01h "invalid function" for disks).
   */
  unsupported(vector: number, what?: string, code = 0x86): number {
    this.logEntry(vector, what ?? `INT ${hexDigits(vector, 2)}h AX=${hexDigits(this.cpu.r16[0], 4)}h: function not supported`);
    this.ah = code;
    this.setCF(true);
    return DONE;
  }
}

