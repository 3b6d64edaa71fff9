// Which device the BIOS boots, along a boot order: the CD when its El Torito catalogue gives a boot
// image, the first floppy (00h) or first hard disk (80h) when sector 0 ends with 55 AA; a device that
// is absent or not bootable passes to the next, as SeaBIOS's boot sequence does ("Boot failed: not a
// bootable disk"). When nothing is bootable, the first disk present boots anyway (the signature is not
// required, as many BIOSes do not require it), or the CD, whose boot then says what is wrong.
// Pure TypeScript: no Node or VS Code imports. SeaBIOS boot.c (do_boot, boot_disk); El Torito 1.0.

import type { BootDeviceName } from '../../protocol/bootOrder';
import { type CdImage, MEDIA_NAMES } from './cdrom';
import type { DiskImage } from './diskImage';
import { hasBootSignature } from './mbr';

export interface BootChoice {
  /** The device booted, or null with nothing attached. */
  device: BootDeviceName | null;
  /** One sentence per device passed over, in order (the BIOS logs them). */
  passed: string[];
  /** The booted disk lacks the 55 AA signature (booted anyway: nothing else was bootable). */
  unsigned: boolean;
}

export interface BootDrives {
  floppy: DiskImage | null;
  hardDisk: DiskImage | null;
  cdrom: CdImage | null;
}

/** Why the CD cannot boot (null: it can), as the BIOS's boot says it. */
function cdProblem(cd: CdImage): string | null {
  const unbootable = cd.bootProblem();
  if (unbootable) return unbootable;
  const media = cd.bootEntry().media;
  if (media === 0 || cd.emulatedDisk()) return null;
  return `${cd.name}: cannot boot the CD: its boot entry asks for ${MEDIA_NAMES[media]}, but the image ends before its first 512 bytes`;
}

/** The device booted along `order` (every device, as Machine.bootOrder), and why the ones before it were passed over. */
export function chooseBootDevice(order: readonly BootDeviceName[], drives: BootDrives): BootChoice {
  const tried: { device: BootDeviceName; problem: string }[] = [];
  const passed = (but: BootDeviceName | null) => tried.filter((t) => t.device !== but).map((t) => `${t.problem}; trying the next boot device`);
  for (const device of order) {
    if (device === 'cdrom') {
      if (!drives.cdrom) continue;
      const problem = cdProblem(drives.cdrom);
      if (!problem) return { device, passed: passed(null), unsigned: false };
      tried.push({ device, problem });
      continue;
    }
    const disk = device === 'fd' ? drives.floppy : drives.hardDisk;
    if (!disk) continue;
    if (hasBootSignature(disk.sector(0))) return { device, passed: passed(null), unsigned: false };
    tried.push({ device, problem: `${disk.name} (drive ${device === 'fd' ? '00h' : '80h'}): not a bootable disk (sector 0 does not end with 55 AA)` });
  }
  const fallback = tried.find((t) => t.device !== 'cdrom')?.device ?? tried[0]?.device ?? null;
  return { device: fallback, passed: passed(fallback), unsigned: fallback === 'fd' || fallback === 'hd' };
}
