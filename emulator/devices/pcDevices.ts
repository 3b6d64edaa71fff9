// The PC devices around the CPU, created and wired together: PIC pair, PIT and port 0x61, CMOS/RTC,
// 8042 keyboard controller, port 0x92, VGA text mode, COM1, the diagnostic ports and the PCI bus, all on one
// IoBus and one instruction Clock. The machine owns one PcDevices and connects three hooks: the
// PIC's INT output, the reset line, and the clock's reschedule request.
// Pure TypeScript: no Node or VS Code imports. IBM PC/AT Technical Reference (port map, IRQ map).

import type { Memory } from '../memory/bus';
import type { IoBus } from './ioBus';
import { Clock } from './clock';
import { PicPair } from './pic';
import { Pit } from './pit';
import { SystemControlPortB } from './port61';
import { Cmos, type DateTime } from './cmos';
import { Kbc } from './kbc';
import { Port92 } from './port92';
import { VgaText } from './vgaText';
import { Uart16550 } from './uart16550';
import { DebugPorts } from './debugPorts';
import { loadState, saveState } from './state';
import { DEVFN_ACPI, DEVFN_HOST, DEVFN_VGA, i440fxBus, programPciAsBios } from './i440fx';
import { ShadowRam } from './pam';
import { IDE_SECONDARY, IdeChannel, type IdeDrive } from './ide';
import { FwCfg } from './fwCfg';
import type { SmbiosMachine } from '../bios/smbios';
import { DmaController } from './dma8237';
import { FloppyController } from './fdc';
import { PciOptionRom } from './optionRom';
import type { DiskImage } from '../disk/diskImage';
import type { CdImage } from '../disk/cdrom';
import { AcpiPm } from './acpiPm';
import { BochsVbe, type Frame } from './bochsVbe';
import type { PciBus } from './pci';
import { type BootDeviceName, type BootDrive, MAX_IDE_DRIVES } from '../../protocol/bootOrder';

export interface PcDevicesOptions {
  memory: Memory;
  io: IoBus;
  /** Instructions per 1.193182 MHz PIT tick; default 4 (see clock.ts). */
  instructionsPerPitTick?: number;
  /** Time follows QEMU's -icount rule with this shift instead (see clock.ts). */
  icountShift?: number;
  /** The CPU's instruction counter, read by the devices whenever they need the time (Clock.counter). */
  instructionCounter?: () => number;
  /** RTC date and time at instruction 0; default 2024-01-01 00:00:00. */
  startTime?: DateTime;
  /** CMOS floppy types of drives A and B (cmos.ts FLOPPY_* codes; DiskImage.floppyDriveType). */
  floppyTypes?: [number, number];
  /** Number of hard disks for CMOS byte 0x12. */
  hardDisks?: number;
  /** Boot order and disk translations in CMOS, for a firmware that reads them (see CmosOptions). */
  bootOrder?: BootDeviceName[];
  diskTranslations?: number[];
  /** Keys typed from the start (the CLI's --keys). */
  keys?: string;
  /** Instructions between keyboard bytes; default 20000. */
  keyByteInterval?: number;
  /** Keys reach port 0x60/IRQ1 (default) or only the BIOS queue (Kbc.takeKeystroke); see KbcOptions. */
  hardwareTyping?: boolean;
  /**
   * The PIIX4 ACPI function (00:01.3, its PM registers) and ACPI tables in fw_cfg (default); false is
   * QEMU's `-machine acpi=off`, a machine without either (compare --from-reset --no-acpi).
   */
  acpi?: boolean;
}

/** Which device asked for the CPU reset. */
export type ResetSource = 'kbc-pulse' | 'kbc-output-port' | 'port92';

export interface DevicesSnapshot {
  now: number;
  devices: Record<string, Record<string, unknown>>;
}

/**
 * The four IDE places (primary master, slave, secondary master, slave) as QEMU's `-hda`, `-hdb`,
 * `-cdrom` (index 2), `-hdd` fill them; throws past MAX_IDE_DRIVES (front ends check first).
 */
export function ideDrives(disks: DiskImage[], cdrom: CdImage | null): (IdeDrive | null)[] {
  if (disks.length + (cdrom ? 1 : 0) > MAX_IDE_DRIVES) throw new Error(`${disks.length} hard disks${cdrom ? ' and a CD' : ''} do not fit the ${MAX_IDE_DRIVES} IDE places`);
  const places: (IdeDrive | null)[] = [null, null, null, null];
  if (cdrom) places[idePlace({ kind: 'cdrom', index: 0 }, true)] = cdrom;
  disks.forEach((d, index) => { places[idePlace({ kind: 'hd', index }, cdrom !== null)] = d; });
  return places;
}

/** The IDE place (0 primary master, 1 primary slave, 2 secondary master, 3 secondary slave) of hard disk or CD `d` (`cdrom`: the machine has a CD). */
export function idePlace(d: BootDrive, cdrom: boolean): number {
  if (d.kind === 'cdrom') return 2;
  return [0, 1, 2, 3].filter((i) => !(cdrom && i === 2))[d.index];
}

export class PcDevices {
  readonly clock: Clock;
  readonly pic = new PicPair();
  readonly pit: Pit;
  readonly portB: SystemControlPortB;
  readonly cmos: Cmos;
  readonly kbc: Kbc;
  readonly port92: Port92;
  readonly vga = new VgaText();
  /** The standard VGA's Bochs VBE interface and linear framebuffer. */
  readonly vbe = new BochsVbe();
  readonly com1: Uart16550;
  readonly debug = new DebugPorts();
  /** Bus 0 of QEMU's i440FX machine (i440fx.ts). */
  readonly pci: PciBus;
  /** The ACPI function's power-management registers (PM1a, PM timer): power-off; null without ACPI. */
  readonly pm: AcpiPm | null;
  /** The host bridge's PAM registers over C0000–FFFFF; firmware mode enables them (pam.ts). */
  readonly shadow: ShadowRam;
  /** The primary IDE channel, once firmware mode attached it (attachIde). */
  ide: IdeChannel | null = null;
  /** The secondary IDE channel, where firmware mode puts a CD drive (attachIde). */
  ide2: IdeChannel | null = null;
  /** The 8237 pair and the floppy controller, once firmware mode attached them (attachFloppy). */
  dma: DmaController | null = null;
  fdc: FloppyController | null = null;
  /** QEMU's fw_cfg, once firmware mode attached it (attachFwCfg). */
  fwCfg: FwCfg | null = null;
  /** The standard VGA's expansion ROM, once firmware mode attached one (attachVgaRom). */
  vgaRom: PciOptionRom | null = null;
  /** The guest powered the machine off (PM1a_CNT soft off): the machine stops with `poweroff`. */
  onPowerOff: (() => void) | null = null;
  /**
   * The CPU reset line was pulsed (8042 command FEh, 8042 output port bit 0, port 0x92 bit 0). The
   * machine turns this into a `reset` stop (or `shutdown` if it does not emulate the reboot).
   */
  onReset: ((source: ResetSource) => void) | null = null;
  private readonly memory: Memory;
  private readonly acpi: boolean;

  constructor(opts: PcDevicesOptions) {
    this.memory = opts.memory;
    this.acpi = opts.acpi ?? true;
    this.pci = i440fxBus(this.acpi);
    this.clock = new Clock({ instructionsPerPitTick: opts.instructionsPerPitTick, icountShift: opts.icountShift });
    this.clock.counter = opts.instructionCounter ?? null;
    this.pit = new Pit({ clock: this.clock, irq: this.pic });
    this.portB = new SystemControlPortB(this.pit);
    this.cmos = new Cmos({
      clock: this.clock, irq: this.pic, memoryBytes: opts.memory.ramSize, start: opts.startTime,
      floppyTypes: opts.floppyTypes, hardDisks: opts.hardDisks, bootOrder: opts.bootOrder, diskTranslations: opts.diskTranslations,
    });
    this.kbc = new Kbc({
      clock: this.clock, irq: this.pic, memory: opts.memory, keyByteInterval: opts.keyByteInterval, hardwareTyping: opts.hardwareTyping,
    });
    this.port92 = new Port92(opts.memory);
    this.com1 = new Uart16550({ irq: this.pic });
    this.pm = this.acpi ? new AcpiPm(this.clock, this.pci.find(DEVFN_ACPI)!, opts.io) : null;
    if (this.pm) this.pm.onPowerOff = () => this.onPowerOff?.();
    this.shadow = new ShadowRam(this.pci.find(DEVFN_HOST)!, opts.memory);
    this.kbc.onReset = (how) => this.onReset?.(how === 'pulse' ? 'kbc-pulse' : 'kbc-output-port');
    this.port92.onReset = () => this.onReset?.('port92');
    for (const d of [this.pic, this.pit, this.portB, this.cmos, this.kbc, this.port92, this.vga, this.com1, this.debug, this.pci]) d.attach(opts.io);
    this.vbe.attach(opts.io, opts.memory);
    if (opts.keys) this.kbc.type(opts.keys);
  }

  /**
   * Programs the devices through their ports the way SeaBIOS 1.16 leaves them for the boot sector
   * under QEMU 7.2 (measured with a probe boot sector): PICs at vectors 08h/70h with IMR B8h/8Eh,
   * PIT channel 0 in mode 2 with count 0 (18.2 Hz), A20 enabled (port 0x92 = 02h), COM1 MCR = 08h,
   * 8042 command byte 61h (status 1Ch), ELCR 00h/0Ch, the PCI functions as i440fx.ts says. The built-in BIOS calls
   * this; firmware mode (--bios) starts from the power-on state instead.
   */
  programAsBios(io: IoBus): void {
    io.out8(0x20, 0x11); io.out8(0x21, 0x08); io.out8(0x21, 0x04); io.out8(0x21, 0x01);
    io.out8(0xa0, 0x11); io.out8(0xa1, 0x70); io.out8(0xa1, 0x02); io.out8(0xa1, 0x01);
    io.out8(0x21, 0xb8);
    io.out8(0xa1, 0x8e);
    io.out8(0x43, 0x34); io.out8(0x40, 0x00); io.out8(0x40, 0x00);
    io.out8(0x4d1, 0x0c); // PCI interrupts on IRQ 10/11 are level-triggered
    io.out8(0x92, 0x02);
    io.out8(0x3fc, 0x08);
    io.out8(0x64, 0x60); io.out8(0x60, 0x61);
    io.out8(0x64, 0xae);
    programPciAsBios(io);
  }

  /**
   * Decodes the IDE channels' registers with the drives where QEMU's -hda, -hdb, -cdrom and -hdd put
   * them: the hard disks in order on the primary master and slave, then the secondary's places, whose
   * master is the CD (ATAPI) when there is one (firmware mode: the built-in BIOS serves INT 13h itself
   * and leaves the ports unanswered). At most MAX_IDE_DRIVES drives in all.
   */
  attachIde(io: IoBus, disks: DiskImage[], cdrom: CdImage | null = null): void {
    const places = ideDrives(disks, cdrom);
    this.ide = new IdeChannel(places.slice(0, 2), this.pic);
    this.ide.attach(io);
    this.ide2 = new IdeChannel(places.slice(2, 4), this.pic, IDE_SECONDARY);
    this.ide2.attach(io);
  }

  /**
   * Decodes the DMA controllers and the floppy controller with drives A and B (firmware mode: the
   * built-in BIOS serves INT 13h for floppies itself).
   */
  attachFloppy(io: IoBus, floppies: (DiskImage | null)[]): void {
    this.dma = new DmaController(this.memory);
    this.dma.attach(io);
    this.fdc = new FloppyController([floppies[0] ?? null, floppies[1] ?? null], this.pic, this.dma);
    this.fdc.attach(io);
  }

  /** Answers QEMU's fw_cfg ports (firmware mode: SeaBIOS sizes RAM from its e820 file). */
  attachFwCfg(io: IoBus, machine: SmbiosMachine, bootorder: readonly string[]): void {
    this.fwCfg = new FwCfg(machine, this.memory, bootorder, this.acpi);
    this.fwCfg.attach(io);
  }

  /** Gives the standard VGA an expansion ROM (firmware mode: SeaVGABIOS, as QEMU's vgabios-stdvga.bin). */
  attachVgaRom(image: Uint8Array): void {
    this.vgaRom = new PciOptionRom(this.pci.find(DEVFN_VGA)!, this.memory, image);
  }

  /** Instructions the CPU may run before the next device event (a burst limit). */
  nextEventIn(): number {
    return this.clock.nextEventIn();
  }

  /** Advances device time by n executed instructions and delivers due events (IRQs). */
  advance(n: number): void {
    this.clock.advance(n);
  }

  /** Diagnostic output for the CLI summary. */
  output(): { postCodes: number[]; debugText: string; serialText: string } {
    return { postCodes: this.debug.postCodes.slice(), debugText: this.debug.debugText, serialText: this.com1.output };
  }

  /** The VBE graphics screen as RGBA, or null while the VGA shows text (8-bit modes through the DAC). */
  graphicsFrame(): Frame | null {
    return this.vbe.frame(this.vga.dac);
  }

  /** The 80x25 text screen (see VgaText.screenLines). */
  screenLines(opts: { trimEnd?: boolean } = {}): string[] {
    return this.vga.screenLines(this.memory, opts);
  }

  private named(): Record<string, object> {
    return {
      pic: this.pic, pit: this.pit, portB: this.portB, cmos: this.cmos, kbc: this.kbc,
      port92: this.port92, vga: this.vga, com1: this.com1, debug: this.debug, pci: this.pci, ...(this.pm ? { pm: this.pm } : {}),
    };
  }

  /** Device state for a snapshot (memory and CPU are saved elsewhere; with an instructionCounter the CPU restores the time). */
  saveState(): DevicesSnapshot {
    const devices: Record<string, Record<string, unknown>> = {};
    for (const [k, d] of Object.entries(this.named())) devices[k] = saveState(d);
    devices.vbe = this.vbe.saveState();
    if (this.ide) devices.ide = saveState(this.ide);
    if (this.ide2) devices.ide2 = saveState(this.ide2);
    if (this.dma) devices.dma = saveState(this.dma);
    if (this.fdc) devices.fdc = saveState(this.fdc);
    if (this.fwCfg) devices.fwCfg = saveState(this.fwCfg);
    return { now: this.clock.now, devices };
  }

  loadState(s: DevicesSnapshot): void {
    this.clock.now = s.now;
    for (const [k, d] of Object.entries(this.named())) loadState(d, s.devices[k]);
    this.vbe.loadState(s.devices.vbe as ReturnType<BochsVbe['saveState']>);
    if (this.ide && s.devices.ide) loadState(this.ide, s.devices.ide);
    if (this.ide2 && s.devices.ide2) loadState(this.ide2, s.devices.ide2);
    if (this.dma && s.devices.dma) loadState(this.dma, s.devices.dma);
    if (this.fdc && s.devices.fdc) loadState(this.fdc, s.devices.fdc);
    if (this.fwCfg && s.devices.fwCfg) loadState(this.fwCfg, s.devices.fwCfg);
    this.pm?.remap();
    this.shadow.apply();
    this.vgaRom?.remap();
    this.clock.reschedule();
  }
}
