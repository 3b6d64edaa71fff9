// A small ISO 9660 image with an El Torito boot catalogue, built in memory for the CD tests.
import { CD_SECTOR_SIZE } from '../../emulator/disk/cdrom';

export const CATALOG = 18, BOOT = 19, DATA = 20, SECTORS = 22;

export interface IsoOptions {
  /** Changes to the 64-byte catalogue (validation + initial entry) after its checksum is set. */
  patch?: (cat: Uint8Array) => void;
  media?: number;
  loadSegment?: number;
  sectorCount?: number;
}

/**
 * An ISO 9660 image: PVD at 16, boot record at 17, catalogue at 18, boot image at 19, and data
 * sectors 20–21 (when the boot image fits in sector 19; a larger one, an emulated disk, runs on).
 */
export function makeIso(bootImage: Uint8Array, o: IsoOptions = {}): Uint8Array {
  const iso = new Uint8Array(Math.max(SECTORS, BOOT + Math.ceil(bootImage.length / CD_SECTOR_SIZE)) * CD_SECTOR_SIZE);
  const put = (sector: number, offset: number, bytes: ArrayLike<number> | string) => {
    const b = typeof bytes === 'string' ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
    iso.set(b, sector * CD_SECTOR_SIZE + offset);
  };
  const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  put(16, 0, [1]); put(16, 1, 'CD001'); put(16, 6, [1]);
  put(17, 0, [0]); put(17, 1, 'CD001'); put(17, 6, [1]); put(17, 7, 'EL TORITO SPECIFICATION'); put(17, 0x47, le32(CATALOG));
  const cat = new Uint8Array(64);
  cat[0] = 1; cat[0x1e] = 0x55; cat[0x1f] = 0xaa;
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + cat[i] + (cat[i + 1] << 8)) & 0xffff;
  const check = (0x10000 - sum) & 0xffff;
  cat[0x1c] = check & 0xff; cat[0x1d] = check >> 8;
  const seg = o.loadSegment ?? 0;
  const count = o.sectorCount ?? 4;
  cat.set([0x88, o.media ?? 0, seg & 0xff, seg >> 8, 0, 0, count & 0xff, count >> 8, ...le32(BOOT)], 32);
  o.patch?.(cat);
  put(CATALOG, 0, cat);
  put(BOOT, 0, bootImage);
  if (bootImage.length <= CD_SECTOR_SIZE) {
    put(DATA, 0, 'SECTOR20');
    put(DATA + 1, 0, 'SECTOR21');
  }
  return iso;
}
