// The disk a CLI command boots: IMAGE opened read-only (host/imageFile.ts) as the first hard disk
// or the floppy; an image the disk layer refuses is an InputError (exit 1).
import { DiskImage, DiskImageError } from '../../emulator/disk/diskImage';
import { openImageFile } from '../../host/imageFile';
import { InputError } from '../args';

export function openDisk(imageFile: string, floppy: boolean): DiskImage {
  const file = openImageFile(imageFile);
  try {
    return new DiskImage(file.source, { kind: floppy ? 'floppy' : 'hard', name: imageFile });
  } catch (e) {
    if (e instanceof DiskImageError) throw new InputError(e.message);
    throw e;
  }
}
