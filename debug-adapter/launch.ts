// Turns a launch configuration into a booted Machine: validates every field with a message that
// names it, reads the image (the adapter supplies file I/O; the emulator never reads files), and
// boots. `bootMachine` is the one place that decides how the guest starts.
// Node only; must not import vscode. Contract: docs/CLI.md "Launch configuration".

import { resolve } from 'node:path';
import { DiskImage, DiskImageError } from '../emulator/disk/diskImage';
import { type ImageFile, openImageFile } from '../host/imageFile';
import { CdImage } from '../emulator/disk/cdrom';
import { FileError } from '../host/files';
import { Bios } from '../emulator/bios/bios';
import { Machine } from '../emulator/machine';
import { loadFirmware } from '../emulator/firmware';
import { readInputFile } from '../host/files';
import { loadListing, SourceMaps, type SourceMap } from './listing';
import { describeSymbolFile, loadSymbolFile, type SymbolFile } from '../host/symbolFiles';
import { DwarfSources } from './dwarfSources';
import { seabiosPackageMissing } from '../host/seabios';
import { sharedDriveFile } from '../host/outputFile';
import { accelProblem, QEMU, type QemuBoot, qemuMissing } from '../host/qemu';
import {
  COMPARE_MAX_DEFAULT, CPU_MODEL_NAMES, defaultFpu, FIRMWARE_NAMES, firmwareFiles, type FirmwareName, FPU_NAMES, fpuMismatch, PROFILE_NAMES, LAUNCH_DEFAULTS, LaunchErrorId, QEMU_ACCELS, type CpuModelName, type FpuName, type ILaunchConfig, type QemuAccel,
} from '../protocol/launchConfig';
import { BOOT_NAMES, type BootDeviceName, type BootName, bootOrderOf, driveCountProblem, parseBootOrder, resolveBootOrder } from '../protocol/bootOrder';

/** How the launch configuration spells the firmware fields in messages. */
const FIRMWARE_FIELDS = { firmware: "'firmware'", bios: "'bios'", vgaRom: "'vgaRom'" };

export class LaunchError extends Error {
  constructor(readonly id: LaunchErrorId, message: string) {
    super(message);
  }
}

/** Launch `compareWith.qemu` with its defaults. */
export interface CompareWith {
  binary: string;
  args: string[];
  accel: QemuAccel;
  max: number;
}

/** The reference machine of `compareWith`: QEMU booting the same drives in the same order. */
export interface QemuReference extends CompareWith {
  boot: QemuBoot;
}

export interface Launched {
  machine: Machine;
  /** The built-in BIOS, or null when launch `bios` runs a firmware image instead. */
  bios: Bios | null;
  /** State outside the Machine the recorder snapshots: the built-in BIOS's fields (none with a firmware). */
  extraState: object[];
  /** `bios` and `vgaRom` are the files run (launch `firmware: "seabios"` resolved to its files; `bios` null: the built-in BIOS). */
  config: Required<Omit<ILaunchConfig, 'image' | 'listing' | 'symbols' | 'gdbPort' | 'compareWith' | 'bios' | 'vgaRom' | 'firmware' | 'hd' | 'fd' | 'boot'>> & {
    image: string | null; listing: string[]; symbols: string[]; gdbPort: number | null; compareWith: CompareWith | null;
    bios: string | null; vgaRom: string | null;
    /** Launch `hd`, `fd` as lists; `boot` null: the default order (protocol/bootOrder.ts completeBootOrder). */
    hd: string[]; fd: string[]; boot: BootName[] | null;
  };
  /** Launch `compareWith`: the QEMU the session runs in lock-step with, or null. */
  reference: QemuReference | null;
  /** Notes for the debug console (disk warnings, accepted-but-inactive options). */
  notes: string[];
  /** NASM listings (launch `listing`) as source maps, with the symbols and DWARF of launch `symbols`. */
  sourceMaps: SourceMaps;
  dispose(): void;
}

function bool(cfg: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = cfg[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new LaunchError(LaunchErrorId.BadField, `launch configuration: '${key}' must be true or false, not ${JSON.stringify(v)}`);
  return v;
}

/** Checks every field and fills the defaults. */
export function validateConfig(raw: unknown): Launched['config'] {
  const cfg = (raw ?? {}) as Record<string, unknown>;
  const optionalPath = (key: 'bios' | 'vgaRom'): string | null => {
    const v = cfg[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v === '') throw new LaunchError(LaunchErrorId.BadField, `launch configuration: '${key}' must be the path of a file, not ${JSON.stringify(v)}`);
    return v;
  };
  const firmware = cfg.firmware ?? undefined;
  if (firmware !== undefined && !FIRMWARE_NAMES.includes(firmware as FirmwareName)) {
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: unknown firmware ${JSON.stringify(firmware)}: use one of ${FIRMWARE_NAMES.join(', ')}`);
  }
  const files = firmwareFiles(firmware as FirmwareName | undefined, optionalPath('bios'), optionalPath('vgaRom'), FIRMWARE_FIELDS);
  if (typeof files === 'string') throw new LaunchError(LaunchErrorId.BadField, `launch configuration: ${files}`);
  const { bios, vgaRom } = files;
  const rawImage = cfg.image;
  const image = rawImage === undefined || rawImage === null || rawImage === '' ? null : rawImage;
  if (image === null && bios === null && cfg.hd == null && cfg.fd == null && typeof cfg.cdrom !== 'string') {
    throw new LaunchError(LaunchErrorId.MissingImage, "launch configuration: 'image' is missing: give the path of a disk image or a 512-byte boot sector (it is optional only with 'bios', 'firmware': \"seabios\", 'hd', 'fd' or 'cdrom': a path)");
  }
  if (image !== null && typeof image !== 'string') throw new LaunchError(LaunchErrorId.BadField, `launch configuration: 'image' must be a path string, not ${JSON.stringify(image)}`);
  const cpu = cfg.cpu === undefined ? LAUNCH_DEFAULTS.cpu : String(cfg.cpu);
  if (!CPU_MODEL_NAMES.includes(cpu as CpuModelName)) {
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: unknown cpu '${cpu}': use one of ${CPU_MODEL_NAMES.join(', ')}`);
  }
  const mem = cfg.memoryMB ?? LAUNCH_DEFAULTS.memoryMB;
  if (typeof mem !== 'number' || !Number.isInteger(mem) || mem < 1 || mem > 3072) {
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: 'memoryMB' must be an integer from 1 to 3072, not ${JSON.stringify(mem)}`);
  }
  const fpu = cfg.fpu ?? defaultFpu(cpu as CpuModelName);
  if (!FPU_NAMES.includes(fpu as FpuName)) {
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: unknown fpu ${JSON.stringify(fpu)}: use one of ${FPU_NAMES.join(', ')}`);
  }
  const mismatch = fpuMismatch(cpu as CpuModelName, fpu as FpuName);
  if (mismatch) throw new LaunchError(LaunchErrorId.BadField, `launch configuration: ${mismatch}`);
  const profile = cfg.profile ?? LAUNCH_DEFAULTS.profile;
  if (!PROFILE_NAMES.includes(profile as never)) {
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: unknown profile ${JSON.stringify(profile)}: use one of ${PROFILE_NAMES.join(', ')}`);
  }
  const paths = (key: 'listing' | 'symbols' | 'hd' | 'fd'): string[] => {
    const l = cfg[key];
    if (l === undefined || l === null) return [];
    if (typeof l === 'string') return [l];
    if (Array.isArray(l) && l.every((x) => typeof x === 'string')) return l as string[];
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: '${key}' must be a path or a list of paths`);
  };
  const listing = paths('listing');
  const symbols = paths('symbols');
  const hd = paths('hd');
  const fd = paths('fd');
  const boot = bootConfig(cfg.boot);
  const cdrom = cfg.cdrom ?? LAUNCH_DEFAULTS.cdrom;
  if (typeof cdrom !== 'boolean' && (typeof cdrom !== 'string' || cdrom === '')) {
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: 'cdrom' must be true, false or the path of an ISO image, not ${JSON.stringify(cdrom)}`);
  }
  if (cdrom === true && cfg.floppy === true) {
    throw new LaunchError(LaunchErrorId.BadField, "launch configuration: 'floppy' and 'cdrom': true exclude each other: the image is one drive");
  }
  if (image === null && (cdrom === true || cfg.floppy === true)) {
    throw new LaunchError(LaunchErrorId.MissingImage, `launch configuration: '${cdrom === true ? 'cdrom' : 'floppy'}': true says how to boot 'image', which is missing`);
  }
  const gdbPort = cfg.gdbPort ?? null;
  if (gdbPort !== null && (typeof gdbPort !== 'number' || !Number.isInteger(gdbPort) || gdbPort < 0 || gdbPort > 65535)) {
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: 'gdbPort' must be a port number from 0 to 65535, not ${JSON.stringify(gdbPort)}`);
  }
  const record = bool(cfg, 'record', LAUNCH_DEFAULTS.record);
  const compareWith = compareWithConfig(cfg.compareWith);
  if (compareWith && !record) {
    throw new LaunchError(LaunchErrorId.BadField, "launch configuration: 'compareWith' needs 'record': true (each lock-step run replays the session's history from 0000:7C00)");
  }
  if (compareWith && image === null && typeof cdrom !== 'string' && hd.length === 0 && fd.length === 0) {
    throw new LaunchError(LaunchErrorId.BadField, "launch configuration: 'compareWith' needs a drive ('image', 'hd', 'fd' or 'cdrom': a path): QEMU boots the same drives");
  }
  const imageKind: BootDeviceName | null = image === null ? null : cdrom === true ? 'cdrom' : cfg.floppy === true ? 'fd' : 'hd';
  const counted = driveCountProblem(fd.length + (imageKind === 'fd' ? 1 : 0), hd.length + (imageKind === 'hd' ? 1 : 0), typeof cdrom === 'string' || imageKind === 'cdrom' ? 1 : 0);
  if (counted) throw new LaunchError(LaunchErrorId.BadField, `launch configuration: ${counted}`);
  return {
    image,
    floppy: bool(cfg, 'floppy', LAUNCH_DEFAULTS.floppy),
    cdrom,
    stopOnEntry: bool(cfg, 'stopOnEntry', LAUNCH_DEFAULTS.stopOnEntry),
    listing,
    symbols,
    profile: profile as Launched['config']['profile'],
    breakOnVmEntryFailure: bool(cfg, 'breakOnVmEntryFailure', LAUNCH_DEFAULTS.breakOnVmEntryFailure),
    breakOnEmulation: bool(cfg, 'breakOnEmulation', LAUNCH_DEFAULTS.breakOnEmulation),
    magicBreakpoint: bool(cfg, 'magicBreakpoint', LAUNCH_DEFAULTS.magicBreakpoint),
    record,
    writeBack: bool(cfg, 'writeBack', LAUNCH_DEFAULTS.writeBack),
    cpu: cpu as CpuModelName,
    memoryMB: mem,
    fpu: fpu as FpuName,
    gdbPort,
    compareWith,
    bios,
    vgaRom,
    hd,
    fd,
    boot,
  };
}

/** Launch `boot`: a list of device names or a string as `bootscope run --boot` takes; null when absent. */
function bootConfig(v: unknown): BootName[] | null {
  if (v === undefined || v === null) return null;
  const order = typeof v === 'string' ? parseBootOrder(v) : Array.isArray(v) ? bootOrderOf(v) : `must be a list of ${BOOT_NAMES.join(', ')}, not ${JSON.stringify(v)}`;
  if (typeof order === 'string') throw new LaunchError(LaunchErrorId.BadField, `launch configuration: 'boot': ${order}`);
  return order;
}

/** Launch `compareWith`: `{ "qemu": { binary?, args?, accel?, max? } }` with its defaults, or null when absent. */
function compareWithConfig(v: unknown): CompareWith | null {
  if (v === undefined || v === null) return null;
  const bad = (what: string) => new LaunchError(LaunchErrorId.BadField, `launch configuration: 'compareWith${what}`);
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(`' must be an object: { "qemu": { "accel": "tcg" } }`);
  const known = ['qemu'];
  const extra = Object.keys(v).find((k) => !known.includes(k));
  if (extra !== undefined) throw bad(`.${extra}' is not a reference machine: only "qemu" is`);
  const q = (v as { qemu?: unknown }).qemu;
  if (typeof q !== 'object' || q === null || Array.isArray(q)) throw bad(`.qemu' must be an object: { "accel": "tcg" }`);
  const { binary = QEMU, args = [], accel = 'tcg', max = COMPARE_MAX_DEFAULT } = q as Record<string, unknown>;
  if (typeof binary !== 'string' || binary === '') throw bad(`.qemu.binary' must be the path of a QEMU binary, not ${JSON.stringify(binary)}`);
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw bad(`.qemu.args' must be a list of strings, not ${JSON.stringify(args)}`);
  if (!(QEMU_ACCELS as readonly unknown[]).includes(accel)) throw bad(`.qemu.accel' must be one of ${QEMU_ACCELS.join(', ')}, not ${JSON.stringify(accel)}`);
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) throw bad(`.qemu.max' must be a positive integer (guest instructions), not ${JSON.stringify(max)}`);
  return { binary, args: args as string[], accel: accel as QemuAccel, max };
}

/**
 * How the guest starts: the built-in BIOS (emulator/bios) sets up the IVT, BDA and devices, loads
 * sector 0 of the boot drive to 0000:7C00 with DL = drive and leaves the CPU there. Returns the
 * BIOS, whose warnings say e.g. that a missing 55AA signature was booted anyway.
 */
export function bootMachine(machine: Machine): Bios {
  if (!machine.bootChoice?.device) throw new LaunchError(LaunchErrorId.BadImage, 'no boot drive');
  const bios = new Bios();
  bios.install(machine);
  // A CD the BIOS cannot boot (bad catalogue, emulation mode) is the image's fault: say why.
  if (!bios.boot()) throw new LaunchError(LaunchErrorId.BadImage, bios.log[bios.log.length - 1].message);
  return bios;
}

/** The machine's drives for the debug console: "x.img as hard disk 80h, cd.iso as CD E0h". */
export function drivesText(m: Machine): string {
  const d: string[] = [];
  m.numbered.floppies.forEach((f, i) => d.push(`${f.name} as floppy 0${i}h`));
  m.numbered.hardDisks.forEach((h, i) => d.push(`${h.name} as hard disk ${(0x80 + i).toString(16).toUpperCase()}h`));
  // An emulation CD is listed as the drive it stands for (its DiskImage is named after the CD).
  if (m.cdrom && !m.cdromEmulated) d.push(`${m.cdrom.name} as CD E0h`);
  return d.join(', ');
}

/** Validates the configuration, reads the image and boots a machine. `cwd` resolves relative paths. */
export function launch(raw: unknown, cwd = process.cwd()): Launched {
  const config = validateConfig(raw);
  const path = config.image === null ? null : resolve(cwd, config.image);
  const readFirmware = (p: string | null, what: string): Uint8Array | null => {
    if (p === null) return null;
    try {
      return new Uint8Array(readInputFile(resolve(cwd, p), what));
    } catch (e) {
      if (!(e instanceof FileError)) throw e;
      throw new LaunchError(LaunchErrorId.UnreadableImage, e.message);
    }
  };
  const missing = seabiosPackageMissing([config.bios, config.vgaRom], FIRMWARE_FIELDS);
  if (missing) throw new LaunchError(LaunchErrorId.UnreadableImage, `launch configuration 'firmware': "seabios": ${missing}`);
  const firmware = readFirmware(config.bios, 'firmware image');
  const vgaRom = readFirmware(config.vgaRom, 'VGA ROM');
  let file: ImageFile | null = null;
  try {
    if (path !== null) file = openImageFile(path, { writeBack: config.writeBack });
  } catch (e) {
    throw new LaunchError(LaunchErrorId.UnreadableImage, (e as Error).message);
  }
  const maps: SourceMap[] = [];
  for (const l of config.listing) {
    try {
      maps.push(loadListing(resolve(cwd, l)));
    } catch (e) {
      throw new LaunchError(LaunchErrorId.UnreadableListing, e instanceof FileError ? e.message : `cannot read listing '${l}': ${(e as Error).message}`);
    }
  }
  const symbolFiles: SymbolFile[] = [];
  for (const spec of config.symbols) {
    try {
      symbolFiles.push(loadSymbolFile(spec, (p) => resolve(cwd, p)));
    } catch (e) {
      file?.close();
      if (!(e instanceof FileError)) throw e;
      throw new LaunchError(LaunchErrorId.UnreadableSymbols, `launch configuration 'symbols': ${e.message}`);
    }
  }
  const extra: ImageFile[] = [];
  const close = () => { file?.close(); for (const f of extra) f.close(); };
  const open = (p: string, what: string, writeBack: boolean) => {
    try {
      const f = openImageFile(resolve(cwd, p), { writeBack, what });
      extra.push(f);
      return f;
    } catch (e) {
      close();
      throw new LaunchError(LaunchErrorId.UnreadableImage, (e as Error).message);
    }
  };
  const shared = sharedDriveFile([
    ...(config.image === null ? [] : [{ what: "'image'", path: resolve(cwd, config.image) }]),
    ...config.hd.map((p) => ({ what: "'hd'", path: resolve(cwd, p) })),
    ...config.fd.map((p) => ({ what: "'fd'", path: resolve(cwd, p) })),
    ...(typeof config.cdrom === 'string' ? [{ what: "'cdrom'", path: resolve(cwd, config.cdrom) }] : []),
  ]);
  if (shared) {
    close();
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: ${shared}`);
  }
  let disk: DiskImage | null = null;
  let cdrom: CdImage | null = null;
  const floppies: DiskImage[] = [], hardDisks: DiskImage[] = [];
  try {
    if (typeof config.cdrom === 'string') {
      cdrom = new CdImage(open(config.cdrom, 'CD image', false).source, { name: config.cdrom });
    } else if (file) {
      const cd = new CdImage(file.source, { name: config.image! });
      if (config.cdrom || (!config.floppy && cd.isPlainBootCd())) cdrom = cd;
    }
    if (file && (!cdrom || typeof config.cdrom === 'string')) {
      disk = new DiskImage(file.source, { kind: config.floppy ? 'floppy' : 'hard', name: config.image!, writeBack: file.writeBack });
      (config.floppy ? floppies : hardDisks).push(disk);
    }
    for (const [paths, list, kind] of [[config.fd, floppies, 'floppy'], [config.hd, hardDisks, 'hard']] as const) {
      for (const p of paths) {
        const f = open(p, kind === 'floppy' ? "'fd' image" : "'hd' image", config.writeBack);
        list.push(new DiskImage(f.source, { kind, name: p, writeBack: f.writeBack }));
      }
    }
  } catch (e) {
    close();
    if (e instanceof DiskImageError) throw new LaunchError(LaunchErrorId.BadImage, e.message);
    throw e;
  }
  const imageKind = config.image === null ? null : disk ? (config.floppy ? 'fd' : 'hd') : 'cdrom';
  const bootOrder = resolveBootOrder(config.boot, imageKind, { floppies: floppies.length, hardDisks: hardDisks.length, cdrom: cdrom !== null });
  if (typeof bootOrder === 'string') {
    close();
    throw new LaunchError(LaunchErrorId.BadField, `launch configuration: 'boot': ${bootOrder}`);
  }
  const machine = new Machine({
    cpu: config.cpu, fpu: config.fpu, memoryMB: config.memoryMB, cdrom, firmware: firmware !== null, floppies, hardDisks, bootOrder,
  });
  let bios: Bios | null = null;
  try {
    if (firmware) {
      const problem = loadFirmware(machine, firmware, vgaRom);
      if (problem) throw new LaunchError(LaunchErrorId.BadImage, `launch configuration 'bios': firmware image '${config.bios}': ${problem}`);
    } else bios = bootMachine(machine);
  } catch (e) {
    close();
    throw e;
  }
  let reference: QemuReference | null = null;
  if (config.compareWith) {
    const c = config.compareWith;
    const problem = qemuMissing(c.binary) ?? accelProblem(c.accel);
    if (problem) {
      close();
      throw new LaunchError(LaunchErrorId.CompareUnavailable, `launch configuration 'compareWith': ${problem}`);
    }
    const at = (p: string) => resolve(cwd, p);
    const drives = {
      floppies: [...(disk && config.floppy ? [path!] : []), ...config.fd.map(at)],
      hardDisks: [...(disk && !config.floppy ? [path!] : []), ...config.hd.map(at)],
      cdrom: typeof config.cdrom === 'string' ? at(config.cdrom) : cdrom ? path : null,
    };
    // With launch bios (and vgaRom) QEMU boots the same firmware (bootscope compare --bios).
    reference = {
      ...c,
      boot: { binary: c.binary, drives, bootOrder, memoryMB: config.memoryMB, args: c.args, accel: c.accel, bios: config.bios ?? undefined, vgaRom: config.vgaRom ?? undefined },
    };
  }
  // The BIOS's own missing-55AA warning says what it does, so it replaces the disk layer's.
  const notes = [...[...floppies, ...hardDisks].flatMap((d) => d.warnings).filter((w) => !w.includes('55 AA')), ...bios?.warnings ?? []];
  if (firmware) notes.push(`firmware ${config.bios} from the reset vector F000:FFF0${vgaRom ? `, ${config.vgaRom} as the VGA's ROM` : ''}`);
  const cdProblem = firmware ? cdrom?.bootProblem() : null;
  if (cdProblem) notes.push(`${cdProblem}; the firmware will pass the CD over`);
  for (const m of maps) notes.push(`listing ${m.listing}: ${m.lines.length} lines, ${m.symbols.size} labels, source ${m.source}`);
  for (const f of symbolFiles) notes.push(`symbols ${f.path}: ${describeSymbolFile(f)}`);
  return {
    machine, bios, extraState: bios ? [bios] : [], config, notes, reference,
    sourceMaps: new SourceMaps(maps, symbolFiles.flatMap((f) => f.symbols),
      new DwarfSources(symbolFiles.flatMap((f) => (f.debug ? [{ path: f.path, debug: f.debug }] : [])))),
    dispose: close,
  };
}
