// The drive a CLI command boots: IMAGE opened read-only (host/imageFile.ts) as the first hard disk,
// the floppy or a CD; an image the disk layer refuses is an InputError (exit 1).
import { CdImage } from '../../emulator/disk/cdrom';
import { DiskImage, DiskImageError } from '../../emulator/disk/diskImage';
import { openImageFile, type ImageFile } from '../../host/imageFile';
import { InputError } from '../args';

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
