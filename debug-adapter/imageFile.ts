// Disk image files for the emulator's DiskImage: small images are read whole; large ones (hard-disk dumps of many
// gigabytes, past what one Node buffer holds) are read sector by sector on demand, so opening them costs nothing and
// needs no memory. With writeBack, a sector's original bytes are kept before the guest's write reaches the file, so
// the recording (which restores the copy-on-write overlay, not the file) still reads the past as it was.
// Node only (the CLI and the debug adapter share it); no vscode.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { SECTOR_SIZE } from '../emulator/disk/mbr';
import type { SectorSource } from '../emulator/disk/diskImage';

/** Images up to this size are read into memory at once. */
export const READ_WHOLE_BYTES = 64 * 1024 * 1024;

export class ImageFileError extends Error {}

export interface ImageFile {
  source: Uint8Array | SectorSource;
  /** For DiskImageOptions.writeBack (only when opened with writeBack). */
  writeBack?: (offset: number, data: Uint8Array) => void;
  close(): void;
}

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, not a disk image file' : (e as Error).message;
}

/** Opens `path` (read-only unless `writeBack`); errors are ImageFileErrors with the reason in words. */
export function openImageFile(path: string, opts: { writeBack?: boolean; readWholeBytes?: number } = {}): ImageFile {
  let fd: number;
  try {
    fd = openSync(path, opts.writeBack ? 'r+' : 'r');
  } catch (e) {
    throw new ImageFileError(why(e));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ImageFileError('is a directory, not a disk image file');
    const size = st.size;
    const originals = new Map<number, Uint8Array>();
    const readAt = (offset: number, out: Uint8Array, outOffset: number, length: number) => {
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, outOffset + done, length - done, offset + done);
        if (n <= 0) throw new Error(`${path}: the file ended at byte ${offset + done} (was it truncated while open?)`);
        done += n;
      }
    };
    let source: Uint8Array | SectorSource;
    if (size <= (opts.readWholeBytes ?? READ_WHOLE_BYTES)) {
      const all = new Uint8Array(size);
      if (size > 0) readAt(0, all, 0, size);
      source = all;
    } else {
      source = {
        byteLength: size,
        read(offset, out, outOffset, length) {
          if (originals.size === 0) return readAt(offset, out, outOffset, length);
          for (let o = offset; o < offset + length;) {
            const lba = Math.floor(o / SECTOR_SIZE);
            const inSector = o - lba * SECTOR_SIZE;
            const n = Math.min(SECTOR_SIZE - inSector, offset + length - o);
            const kept = originals.get(lba);
            if (kept) out.set(kept.subarray(inSector, inSector + n), outOffset + (o - offset));
            else readAt(o, out, outOffset + (o - offset), n);
            o += n;
          }
        },
      };
    }
    const writeBack = opts.writeBack
      ? (offset: number, data: Uint8Array) => {
        if (!(source instanceof Uint8Array)) {
          for (let lba = Math.floor(offset / SECTOR_SIZE); lba * SECTOR_SIZE < offset + data.length; lba++) {
            if (originals.has(lba) || (lba + 1) * SECTOR_SIZE > size) continue;
            const old = new Uint8Array(SECTOR_SIZE);
            readAt(lba * SECTOR_SIZE, old, 0, SECTOR_SIZE);
            originals.set(lba, old);
          }
        }
        writeSync(fd, data, 0, data.length, offset);
      }
      : undefined;
    if (source instanceof Uint8Array && !opts.writeBack) {
      closeSync(fd);
      return { source, close: () => {} };
    }
    let open = true;
    return { source, writeBack, close: () => { if (open) closeSync(fd); open = false; } };
  } catch (e) {
    closeSync(fd);
    if (e instanceof ImageFileError) throw e;
    throw new ImageFileError(why(e));
  }
}
