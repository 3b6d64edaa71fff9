// Launch-configuration checks and defaults for the `bootscope` debug type, as pure functions (no 'vscode', no
// file system) so node:test can cover them: which file kinds F5 boots, floppy detection, and the messages shown
// for invalid configurations. The attribute list matches docs/CLI.md "Launch configuration".

import {
  CPU_MODEL_NAMES, type CpuModelName, FIRMWARE_NAMES, firmwareFiles, type FirmwareName, FPU_NAMES, type FpuName, fpuMismatch, type IAttachConfig, LAUNCH_DEFAULTS, PROFILE_NAMES, QEMU_ACCELS,
} from '../protocol/launchConfig';
import { bootOrderOf, driveCountProblem, parseBootOrder, resolveBootOrder } from '../protocol/bootOrder';

export interface LaunchConfig {
  type: string;
  request: string;
  name: string;
  image?: string;
  floppy?: boolean;
  cdrom?: boolean | string;
  stopOnEntry?: boolean;
  listing?: string | string[];
  profile?: string;
  breakOnVmEntryFailure?: boolean;
  record?: boolean;
  writeBack?: boolean;
  cpu?: string;
  fpu?: string;
  memoryMB?: number;
  bios?: string;
  vgaRom?: string;
  firmware?: string;
  hd?: string | string[];
  fd?: string | string[];
  boot?: string | string[];
  [key: string]: unknown;
}

export const IMAGE_EXTENSIONS = ['.img', '.bin', '.ima', '.flp', '.vfd', '.dsk', '.raw', '.iso'];
export const FLOPPY_EXTENSIONS = ['.ima', '.flp', '.vfd'];
/** Raw floppy sizes in bytes (160K … 2.88M, plus DMF 1.68M): an image of exactly this size boots as a floppy. */
export const FLOPPY_SIZES = [163840, 184320, 327680, 368640, 737280, 1228800, 1474560, 1720320, 2949120];

export type FileKind = 'image' | 'asm' | 'other';

export function extensionOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return dot > slash ? path.slice(dot).toLowerCase() : '';
}

export function fileKind(path: string): FileKind {
  const ext = extensionOf(path);
  if (ext === '.asm' || ext === '.nasm' || ext === '.s') return 'asm';
  return IMAGE_EXTENSIONS.includes(ext) ? 'image' : 'other';
}

export function looksLikeFloppy(path: string, size: number | undefined): boolean {
  return FLOPPY_EXTENSIONS.includes(extensionOf(path)) || (size !== undefined && FLOPPY_SIZES.includes(size));
}

/** `boot.asm` → `boot.bin` / `boot.lst` next to it. */
export function siblingWithExtension(path: string, ext: string): string {
  const e = extensionOf(path);
  return (e ? path.slice(0, path.length - e.length) : path) + ext;
}

/** The configuration F5 uses with no launch.json, for the file in the active editor. */
export function configForFile(path: string, size?: number): LaunchConfig | undefined {
  const kind = fileKind(path);
  if (kind === 'other') return undefined;
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const cfg: LaunchConfig = { type: 'bootscope', request: 'launch', name: `Bootscope: boot ${base}`, image: path, stopOnEntry: true };
  // An ISO is left to the adapter, which boots a plain one as a CD whatever its size.
  if (kind === 'image' && extensionOf(path) !== '.iso' && looksLikeFloppy(path, size)) cfg.floppy = true;
  return cfg;
}

/** Every problem with a configuration, each a sentence naming the attribute; empty when it can be launched (or attached). */
export function validateConfig(cfg: LaunchConfig, imageExists?: (p: string) => boolean): string[] {
  if (cfg.request === 'attach') return attachProblems(cfg.qemu);
  const errors: string[] = [];
  const firmware = (typeof cfg.bios === 'string' && cfg.bios.trim() !== '') || cfg.firmware === 'seabios';
  const otherDrives = cfg.hd !== undefined || cfg.fd !== undefined || typeof cfg.cdrom === 'string';
  if (typeof cfg.image !== 'string' || cfg.image.trim() === '') {
    if (!firmware && !otherDrives) errors.push('"image" is missing: set it to the disk image, floppy image or boot sector to boot (e.g. "${workspaceFolder}/boot.img").');
  } else if (imageExists && !imageExists(cfg.image)) {
    errors.push(`"image" points at ${cfg.image}, which does not exist.`);
  }
  for (const key of ['bios', 'vgaRom'] as const) {
    const v = cfg[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.trim() === '') errors.push(`"${key}" must be the path of a file.`);
    else if (imageExists && !imageExists(v)) errors.push(`"${key}" points at ${v}, which does not exist.`);
  }
  if (cfg.firmware !== undefined && !(FIRMWARE_NAMES as readonly unknown[]).includes(cfg.firmware)) {
    errors.push(`"firmware" is ${JSON.stringify(cfg.firmware)}: it must be one of ${FIRMWARE_NAMES.join(', ')}.`);
  } else {
    const files = firmwareFiles(cfg.firmware as FirmwareName | undefined, cfg.bios === undefined ? null : String(cfg.bios), cfg.vgaRom === undefined ? null : String(cfg.vgaRom),
      { firmware: '"firmware"', bios: '"bios"', vgaRom: '"vgaRom"' });
    if (typeof files === 'string') errors.push(`${files}.`);
  }
  if (firmware && cfg.compareWith !== undefined && cfg.image === undefined && !otherDrives) {
    errors.push('"compareWith" needs a drive ("image", "hd", "fd" or "cdrom": a path): QEMU boots the same drives.');
  }
  if (cfg.cpu !== undefined && !(CPU_MODEL_NAMES as readonly string[]).includes(String(cfg.cpu))) {
    errors.push(`"cpu" is ${JSON.stringify(cfg.cpu)}: it must be one of ${CPU_MODEL_NAMES.join(', ')}.`);
  }
  if (cfg.fpu !== undefined && !(FPU_NAMES as readonly string[]).includes(String(cfg.fpu))) {
    errors.push(`"fpu" is ${JSON.stringify(cfg.fpu)}: it must be one of ${FPU_NAMES.join(', ')}.`);
  } else if (cfg.fpu !== undefined) {
    const cpu = (CPU_MODEL_NAMES as readonly string[]).includes(String(cfg.cpu)) ? cfg.cpu as CpuModelName : LAUNCH_DEFAULTS.cpu;
    const mismatch = fpuMismatch(cpu, cfg.fpu as FpuName);
    if (mismatch) errors.push(`"fpu": ${mismatch}.`);
  }
  if (cfg.memoryMB !== undefined && !(typeof cfg.memoryMB === 'number' && Number.isInteger(cfg.memoryMB) && cfg.memoryMB > 0)) {
    errors.push(`"memoryMB" is ${JSON.stringify(cfg.memoryMB)}: it must be a positive integer (MiB of guest RAM).`);
  }
  if (cfg.profile !== undefined && !(PROFILE_NAMES as readonly string[]).includes(String(cfg.profile))) {
    errors.push(`"profile" is ${JSON.stringify(cfg.profile)}: it must be one of ${PROFILE_NAMES.join(', ')}.`);
  }
  for (const key of ['floppy', 'stopOnEntry', 'breakOnVmEntryFailure', 'record', 'writeBack'] as const) {
    if (cfg[key] !== undefined && typeof cfg[key] !== 'boolean') errors.push(`"${key}" must be true or false.`);
  }
  if (cfg.cdrom !== undefined && typeof cfg.cdrom !== 'boolean' && !(typeof cfg.cdrom === 'string' && cfg.cdrom.trim() !== '')) {
    errors.push('"cdrom" must be true, false or the path of an ISO image.');
  }
  if (cfg.cdrom === true && cfg.floppy === true) errors.push('"floppy" and "cdrom": true exclude each other: the image is one drive.');
  errors.push(...driveProblems(cfg));
  if (cfg.listing !== undefined && typeof cfg.listing !== 'string' && !(Array.isArray(cfg.listing) && cfg.listing.every((l) => typeof l === 'string'))) {
    errors.push('"listing" must be a path or a list of paths to NASM -l listing files.');
  }
  if (cfg.compareWith !== undefined) errors.push(...compareWithProblems(cfg.compareWith, cfg.record));
  return errors;
}

/** What is wrong with launch `hd`, `fd` and `boot`, and whether the drives fit the machine. */
function driveProblems(cfg: LaunchConfig): string[] {
  const out: string[] = [];
  const list = (key: 'hd' | 'fd'): string[] => {
    const v = cfg[key];
    if (v === undefined) return [];
    if (typeof v === 'string' && v.trim() !== '') return [v];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.trim() !== '')) return v as string[];
    out.push(`"${key}" must be the path of a disk image or a list of them.`);
    return [];
  };
  const hd = list('hd'), fd = list('fd');
  const image = typeof cfg.image === 'string' && cfg.image.trim() !== '';
  const kind = !image ? null : cfg.cdrom === true ? 'cdrom' : cfg.floppy === true ? 'fd' : 'hd';
  const counts = { floppies: fd.length + (kind === 'fd' ? 1 : 0), hardDisks: hd.length + (kind === 'hd' ? 1 : 0), cdrom: typeof cfg.cdrom === 'string' || kind === 'cdrom' };
  const counted = driveCountProblem(counts.floppies, counts.hardDisks, counts.cdrom ? 1 : 0);
  if (counted) out.push(`${counted}.`);
  if (cfg.boot !== undefined) {
    const order = typeof cfg.boot === 'string' ? parseBootOrder(cfg.boot) : Array.isArray(cfg.boot) ? bootOrderOf(cfg.boot) : 'it must be a list of boot devices';
    const resolved = typeof order === 'string' ? order : resolveBootOrder(order, kind, counts);
    if (typeof resolved === 'string') out.push(`"boot": ${resolved}.`);
  }
  return out;
}

/** What is wrong with launch `compareWith` (docs/CLI.md "Lock-step with QEMU"). */
function compareWithProblems(v: unknown, record: unknown): string[] {
  const q = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { qemu?: unknown }).qemu : undefined;
  if (typeof q !== 'object' || q === null || Array.isArray(q)) return ['"compareWith" must be { "qemu": { "accel": "tcg" } } (optional "binary", "args", "max").'];
  const { binary, args, accel, max } = q as Record<string, unknown>;
  const out: string[] = [];
  if (binary !== undefined && (typeof binary !== 'string' || binary === '')) out.push('"compareWith.qemu.binary" must be the path of a QEMU binary.');
  if (args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string'))) out.push('"compareWith.qemu.args" must be a list of strings.');
  if (accel !== undefined && !(QEMU_ACCELS as readonly unknown[]).includes(accel)) out.push(`"compareWith.qemu.accel" is ${JSON.stringify(accel)}: it must be one of ${QEMU_ACCELS.join(', ')}.`);
  if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max > 0)) out.push('"compareWith.qemu.max" must be a positive integer (guest instructions).');
  if (record === false) out.push('"compareWith" needs "record": true (each lock-step run replays the session\'s history from 0000:7C00).');
  return out;
}

/** What is wrong with the `attach` request's `qemu` (docs/CLI.md "Attach to QEMU"). */
function attachProblems(v: unknown): string[] {
  const q = typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Partial<Record<keyof IAttachConfig['qemu'], unknown>> : null;
  if (!q || typeof q.port !== 'number' || !Number.isInteger(q.port) || q.port < 1 || q.port > 65535) {
    return ['"qemu" must be { "port": 1234 } (QEMU\'s -s, or -gdb tcp::PORT) with an optional "host".'];
  }
  return q.host !== undefined && (typeof q.host !== 'string' || q.host === '') ? ['"qemu.host" must be a host name or address.'] : [];
}
