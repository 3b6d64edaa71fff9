// The drives a CLI command attaches: IMAGE opened read-only (host/imageFile.ts) as the first hard
// disk, the floppy or a CD, and for `run` the drives --hd, --fd and --cdrom name; an image the disk
// layer refuses is an InputError (exit 1).
import { CdImage } from '../../emulator/disk/cdrom';
import { DiskImage, DiskImageError } from '../../emulator/disk/diskImage';
import { openImageFile, type ImageFile } from '../../host/imageFile';
import { InputError, UsageError } from '../args';
import { sharedDriveFile } from '../../host/outputFile';
import { type BootDeviceName, driveCountProblem } from '../../protocol/launchConfig';

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
