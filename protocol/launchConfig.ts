// The `bootscope` launch configuration (docs/CLI.md "Launch configuration") as a type with
// its defaults, shared by the debug adapter, the extension's configuration provider and the check
// against package.json. Types and constants only: no runtime dependencies, no vscode.
import type { BootName } from './bootOrder';

/**
 * The CPU models, oldest first: the one list the CLI, the launch validation, package.json, the
 * docs and the emulator's per-model tables (emulator/cpu/dispatch.ts MODEL_TRAITS) derive from.
 */
export const CPU_MODEL_NAMES = ['8086', '80286', '80386', '80486', 'pentium', 'pentium2'] as const;
export type CpuModelName = (typeof CPU_MODEL_NAMES)[number];
/**
 * The x87 beside the CPU: none (detection finds no FPU), an 80387 beside the 80386, or the
 * integrated FPU of the 80486 (486DX) and the Pentium. Every x87 is the one exact core (emulator/cpu/fpu).
 */
export const FPU_NAMES = ['none', '387', 'integrated'] as const;
export type FpuName = (typeof FPU_NAMES)[number];
/** The FPUs each model can have, its default first (an 80486 without its FPU is a 486SX). */
export const MODEL_FPUS: Readonly<Record<CpuModelName, readonly FpuName[]>> = {
  '8086': ['none'],
  '80286': ['none'],
  '80386': ['none', '387'],
  '80486': ['integrated', 'none'],
  pentium: ['integrated'],
  pentium2: ['integrated'],
};
/** The FPU of `cpu` when none is asked for. */
export function defaultFpu(cpu: CpuModelName): FpuName {
  return MODEL_FPUS[cpu][0];
}
/** Why `fpu` does not fit `cpu`, or null when it does (one sentence, for the CLI and the launch validation). */
export function fpuMismatch(cpu: CpuModelName, fpu: FpuName): string | null {
  if (MODEL_FPUS[cpu].includes(fpu)) return null;
  return `the ${cpu} model takes fpu ${MODEL_FPUS[cpu].join(' or ')}, not ${fpu}`;
}
/** The hypervisor profiles (emulator/vmx/profiles.ts models them): the one list the CLI, adapter and extension use. */
export const PROFILE_NAMES = ['raw', 'unrestricted', 'xen-vm86', 'kvm-rmode'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * The firmware that boots the machine (`bootscope run --firmware`, launch `firmware`): the built-in BIOS
 * (its services in TypeScript, a BIOS call one step), or Debian's SeaBIOS run from the reset vector.
 */
export const FIRMWARE_NAMES = ['builtin', 'seabios'] as const;
export type FirmwareName = (typeof FIRMWARE_NAMES)[number];
/** What `seabios` runs unless `bios`/`vgaRom` name other files: Debian's seabios package, as QEMU 7.2's `pc` machine with `-vga std` loads it. */
export const SEABIOS_FILES = { bios: '/usr/share/seabios/bios-256k.bin', vgaRom: '/usr/share/seabios/vgabios-stdvga.bin' } as const;

/**
 * The firmware and VGA ROM files a run maps (null `bios`: the built-in BIOS), from `firmware` and the
 * files named (`bios`, `vgaRom`, which override seabios's), or a sentence saying why they do not go
 * together; `opt` spells the options (`--bios` or `bios`).
 */
export function firmwareFiles(firmware: FirmwareName | undefined, bios: string | null, vgaRom: string | null, opt: { firmware: string; bios: string; vgaRom: string }):
  { bios: string | null; vgaRom: string | null } | string {
  if (firmware === 'builtin' && bios !== null) return `${opt.firmware} builtin and ${opt.bios} exclude each other: ${opt.bios} names the firmware run instead of the built-in BIOS`;
  if (firmware === 'seabios') return { bios: bios ?? SEABIOS_FILES.bios, vgaRom: vgaRom ?? SEABIOS_FILES.vgaRom };
  if (vgaRom !== null && bios === null) return `${opt.vgaRom} needs ${opt.bios} (or ${opt.firmware} seabios): the built-in BIOS has its own INT 10h`;
  return { bios, vgaRom };
}

/** How QEMU runs the reference guest of `compareWith`: TCG (its per-instruction log) or KVM (the host CPU). */
export const QEMU_ACCELS = ['tcg', 'kvm'] as const;
export type QemuAccel = (typeof QEMU_ACCELS)[number];

/** Launch `compareWith.qemu`: the reference machine the session runs in lock-step with. */
export interface CompareWithQemu {
  /** The QEMU binary (default qemu-system-i386 on PATH). */
  binary?: string;
  /** Arguments added to QEMU's command line. */
  args?: string[];
  /** Default tcg. */
  accel?: QemuAccel;
  /** Guest instructions one lock-step run compares at most (default 10,000,000). */
  max?: number;
}

export interface ILaunchConfig {
  /** Disk image or boot sector to boot (required unless `bios` is given). */
  image?: string;
  /** Boot the image as a floppy (drive 00h) instead of the first hard disk (80h). */
  floppy?: boolean;
  /**
   * true: boot the image as a CD (El Torito); a path: attach that ISO as the CD and boot
   * it, the image staying the hard disk. A plain ISO given as the image is a CD without it.
   */
  cdrom?: boolean | string;
  /** More hard disks after the image (81h, ...): on the IDE channels as QEMU's -hda, -hdb, -hdd place them. */
  hd?: string | string[];
  /** More floppies after the image (drive A, then B). */
  fd?: string | string[];
  /**
   * The boot order (`["cdrom", "hd", "fd"]`, single drives as `["hd2", "cdrom"]`, or a string as
   * `bootscope run --boot` takes; protocol/bootOrder.ts); devices not named follow. Absent: the CD first, then the image's drive, then hard disk before floppy.
   */
  boot?: BootName[] | string;
  /** Stop at 0000:7C00 before the first guest instruction (default true). */
  stopOnEntry?: boolean;
  /** NASM `-l` listing file(s) for source-level breakpoints. */
  listing?: string | string[];
  /** Symbol files (ELF32 with DWARF, ld -Map, nm / System.map, Bochs ldsym; `FILE@OFFSET` relocates), linear addresses. */
  symbols?: string | string[];
  /** Hypervisor profile for VM-entry checks. */
  profile?: ProfileName;
  /** Stop where the profile's verdict becomes 'fail'. */
  breakOnVmEntryFailure?: boolean;
  /** Stop where the profile's verdict becomes 'emulate' (the hypervisor would emulate instead of entering). */
  breakOnEmulation?: boolean;
  /** Stop right after `xchg bx, bx`, as Bochs's magic breakpoint does (default false). */
  magicBreakpoint?: boolean;
  /** Record execution for step back / reverse continue (default true). */
  record?: boolean;
  /** Write guest disk writes back to the image file (default false). */
  writeBack?: boolean;
  /** CPU model (default 80386). */
  cpu?: CpuModelName;
  /** Guest RAM in MiB (default 64). */
  memoryMB?: number;
  /** The x87 (default the model's: none on the 80386 and older, integrated on the 80486 and Pentium). */
  fpu?: FpuName;
  /** Also serve the session to gdb on 127.0.0.1:N (GDB remote protocol; 0 picks a free port). Absent: no gdb server. */
  gdbPort?: number;
  /** Run in lock-step with QEMU from 0000:7C00 and stop at the first divergence. Absent: no comparison. */
  compareWith?: { qemu: CompareWithQemu };
  /**
   * A firmware image (e.g. SeaBIOS's bios.bin) run from the reset vector instead of the built-in BIOS,
   * as `bootscope run --bios`. Absent: the built-in BIOS.
   */
  bios?: string;
  /** With `bios`: the standard VGA's expansion ROM (e.g. SeaVGABIOS), as `bootscope run --vga-rom`. */
  vgaRom?: string;
  /** `seabios`: Debian's SeaBIOS and SeaVGABIOS (SEABIOS_FILES, or `bios`/`vgaRom`) from the reset vector, as `bootscope run --firmware`. Absent: `builtin` unless `bios` is given. */
  firmware?: FirmwareName;
}

/** The `attach` request (docs/CLI.md "Attach to QEMU"): a QEMU whose gdbstub listens at host:port. */
export interface IAttachConfig {
  qemu: {
    /** Default ATTACH_DEFAULT_HOST. */
    host?: string;
    /** QEMU's -gdb tcp::PORT (-s is 1234). */
    port: number;
  };
}
export const ATTACH_DEFAULT_HOST = '127.0.0.1';

export const LAUNCH_DEFAULTS = {
  floppy: false,
  cdrom: false,
  stopOnEntry: true,
  profile: 'raw',
  breakOnVmEntryFailure: false,
  breakOnEmulation: false,
  magicBreakpoint: false,
  record: true,
  writeBack: false,
  cpu: '80386',
  memoryMB: 64,
} as const satisfies Omit<Required<ILaunchConfig>, 'image' | 'listing' | 'symbols' | 'gdbPort' | 'compareWith' | 'bios' | 'vgaRom' | 'fpu' | 'firmware' | 'hd' | 'fd' | 'boot'>;

/** Guest instructions a `compareWith` lock-step run compares by default (as `bootscope compare --max`). */
export const COMPARE_MAX_DEFAULT = 10_000_000;

/** Error ids in error responses, so clients and tests can tell the causes apart. */
export const enum LaunchErrorId {
  MissingImage = 2001,
  UnreadableImage = 2002,
  BadImage = 2003,
  BadField = 2004,
  UnreadableListing = 2005,
  UnreadableSymbols = 2006,
  /** compareWith: QEMU missing, or the setup it asks for cannot run here. */
  CompareUnavailable = 2007,
}
