// The drives a CLI command attaches: IMAGE opened read-only (host/imageFile.ts) as the first hard
// disk, the floppy or a CD, and for `run` and `compare` the drives --hd, --fd and --cdrom name, in
// the order --boot gives; an image the disk layer refuses is an InputError (exit 1).
import type { Command } from 'commander';
import { CdImage } from '../../emulator/disk/cdrom';
import { DiskImage, DiskImageError } from '../../emulator/disk/diskImage';
import { openImageFile, type ImageFile } from '../../host/imageFile';
import { collect, InputError, UsageError } from '../args';
import { sharedDriveFile } from '../../host/outputFile';
import { BOOT_DEVICE_NAMES, type BootDeviceName, type BootName, type BootOrder, driveCountProblem, parseBootOrder, resolveBootOrder } from '../../protocol/bootOrder';
import type { QemuDrives } from '../../host/qemu';

function diskOf(file: ImageFile, imageFile: string, floppy: boolean): DiskImage {
  try {
    return new DiskImage(file.source, { kind: floppy ? 'floppy' : 'hard', name: imageFile });
  } catch (e) {
    if (e instanceof DiskImageError) throw new InputError(e.message);
    throw e;
  }
}

/**
 * IMAGE as the drive it boots from: a CD with `cdrom`, or (with `detectCd`, not as a floppy) when
 * it is a plain El Torito ISO; otherwise the first hard disk or the floppy.
 */
export function openBootDrive(imageFile: string, opts: { floppy: boolean; cdrom: boolean; detectCd: boolean }): { disk: DiskImage | null; cdrom: CdImage | null } {
  const file = openImageFile(imageFile);
  const cd = new CdImage(file.source, { name: imageFile });
  if (opts.cdrom || (opts.detectCd && !opts.floppy && cd.isPlainBootCd())) return { disk: null, cdrom: cd };
  return { disk: diskOf(file, imageFile, opts.floppy), cdrom: null };
}

/** The options that name drives and their boot order, as `run` and `compare` take them. */
export interface DriveOptions {
  floppy?: boolean;
  cdrom?: boolean | string;
  hd?: string[];
  fd?: string[];
  boot?: string;
}

/** Adds the drive options (DriveOptions) to `c`. */
export function driveOptions(c: Command): Command {
  return c
    .option('--floppy', 'boot IMAGE as the floppy, drive 00h')
    .option('--cdrom [ISO]', 'without ISO: IMAGE is a CD (El Torito, drive E0h; an ISO 9660 image with a boot catalogue is one without it); with ISO: the CD drive holds ISO')
    .option('--hd <FILE>', 'a hard disk after IMAGE (81h, ...; IDE as QEMU -hda, -hdb, -hdd); repeatable', collect)
    .option('--fd <FILE>', 'a floppy after IMAGE (drive A, then B); repeatable', collect)
    .option('--boot <ORDER>', `boot order: ${BOOT_DEVICE_NAMES.join(', ')} or one drive (fd1, fd2, hd1 ... hd4, IMAGE first of its kind) separated by commas, or QEMU's letters (a, c, d); the devices not named follow (default: the CD, then IMAGE's drive)`);
}

/**
 * The drive files `opts` name beside IMAGE and the boot order they give (null: the default), or a
 * UsageError: no drive at all (unless a firmware is given, `firmware` true; null: the command needs
 * a drive even then), --floppy or --cdrom without IMAGE or together, a --boot that is not an order.
 */
export function driveFilesOf(imageFile: string | undefined, opts: DriveOptions, firmware: boolean | null): { files: DriveFiles; order: BootName[] | null } {
  const files = { floppy: opts.floppy === true, imageIsCd: opts.cdrom === true, hd: opts.hd ?? [], fd: opts.fd ?? [], cdrom: typeof opts.cdrom === 'string' ? opts.cdrom : null };
  const otherDrives = files.hd.length + files.fd.length + (files.cdrom === null ? 0 : 1);
  if (imageFile === undefined && !firmware && otherDrives === 0) {
    throw new UsageError(`no IMAGE given (it is optional only with --hd, --fd${firmware === null ? ' or --cdrom ISO' : ', --cdrom ISO or a firmware: --bios FILE or --firmware seabios'})`);
  }
  if (imageFile === undefined && (files.floppy || files.imageIsCd)) throw new UsageError(`--${files.floppy ? 'floppy' : 'cdrom'} says how to boot IMAGE, which is not given`);
  if (files.floppy && files.imageIsCd) throw new UsageError('--floppy and --cdrom exclude each other: IMAGE is one drive');
  const order = opts.boot === undefined ? null : parseBootOrder(opts.boot);
  if (typeof order === 'string') throw new UsageError(`--boot: ${order}`);
  return { files, order };
}

/** `order` over the drives opened, or a UsageError naming what it names that is not there. */
export function bootOrderOver(drives: Drives, order: BootName[] | null): BootOrder {
  const resolved = resolveBootOrder(order, drives.imageKind, { floppies: drives.floppies.length, hardDisks: drives.hardDisks.length, cdrom: drives.cdrom !== null });
  if (typeof resolved === 'string') throw new UsageError(`--boot: ${resolved}`);
  return resolved;
}

/** The files of `drives` for QEMU: each drive is named after the path it was opened from. */
export function qemuDrives(drives: Drives): QemuDrives {
  return { floppies: drives.floppies.map((d) => d.name), hardDisks: drives.hardDisks.map((d) => d.name), cdrom: drives.cdrom?.name ?? null };
}

/** The drives of `bootscope run`: IMAGE (as --floppy/--cdrom say) and those --hd, --fd and --cdrom ISO name. */
export interface DriveFiles {
  floppy: boolean;
  /** IMAGE is a CD (`--cdrom` without a file). */
  imageIsCd: boolean;
  hd: string[];
  fd: string[];
  /** `--cdrom ISO`: the CD drive's image. */
  cdrom: string | null;
}

export interface Drives {
  floppies: DiskImage[];
  hardDisks: DiskImage[];
  cdrom: CdImage | null;
  /** The kind of drive IMAGE became (the default boot order starts with it), or null without IMAGE. */
  imageKind: BootDeviceName | null;
}

/**
 * Opens every drive read-only: IMAGE first in its kind (drive 00h or 80h), then the --fd and --hd
 * files in order, and the CD. One file named twice or more drives than the machine has are usage
 * errors; an image the disk layer refuses is an InputError.
 */
export function openDrives(imageFile: string | undefined, f: DriveFiles): Drives {
  const named = [
    ...(imageFile === undefined ? [] : [{ what: 'image', path: imageFile }]),
    ...f.hd.map((path) => ({ what: '--hd', path })),
    ...f.fd.map((path) => ({ what: '--fd', path })),
    ...(f.cdrom === null ? [] : [{ what: '--cdrom', path: f.cdrom }]),
  ];
  const shared = sharedDriveFile(named);
  if (shared) throw new UsageError(shared);
  // With --cdrom ISO the CD drive is taken: IMAGE is a disk even when it is a plain ISO (as launch's cdrom path).
  const image = imageFile === undefined ? null : openBootDrive(imageFile, { floppy: f.floppy, cdrom: f.imageIsCd, detectCd: f.cdrom === null });
  const imageKind: BootDeviceName | null = !image ? null : image.cdrom ? 'cdrom' : f.floppy ? 'fd' : 'hd';
  const floppies = [...(imageKind === 'fd' ? [image!.disk!] : []), ...f.fd.map((p) => diskOf(openImageFile(p, { what: '--fd image' }), p, true))];
  const hardDisks = [...(imageKind === 'hd' ? [image!.disk!] : []), ...f.hd.map((p) => diskOf(openImageFile(p, { what: '--hd image' }), p, false))];
  const cdrom = image?.cdrom ?? (f.cdrom === null ? null : new CdImage(openImageFile(f.cdrom, { what: 'CD image' }).source, { name: f.cdrom }));
  const problem = driveCountProblem(floppies.length, hardDisks.length, cdrom ? 1 : 0);
  if (problem) throw new UsageError(problem);
  return { floppies, hardDisks, cdrom, imageKind };
}
