// Disk image files for the emulator's DiskImage: small images are read whole; large ones (disk dumps
// of many gigabytes, past what one Node buffer holds) are read sector by sector on demand, so opening
// them costs nothing. With writeBack, a sector's original bytes are kept before the guest's write
// reaches the file, so the recording (which restores the copy-on-write overlay, not the file) still
// reads the past as it was. Node only (the CLI and the debug adapter share it); no vscode. Only
// regular files: see files.ts.
import { closeSync, writeSync } from 'node:fs';
import { errnoText, FileError, openRegularFile, readFully } from './files';
import { SECTOR_SIZE } from '../emulator/disk/mbr';
import type { SectorSource } from '../emulator/disk/diskImage';

/** Images up to this size are read into memory at once. */
export const READ_WHOLE_BYTES = 64 * 1024 * 1024;

export interface ImageFile {
  source: Uint8Array | SectorSource;
  /** For DiskImageOptions.writeBack (only when opened with writeBack). */
  writeBack?: (offset: number, data: Uint8Array) => void;
  close(): void;
}

/**
 * Opens `path` (read-only unless `writeBack`); `what` names it in errors ("image" by default).
 * Errors are FileErrors: "cannot read image 'x': no such file", "cannot open image 'x' for writing: ...".
 */
export function openImageFile(path: string, opts: { writeBack?: boolean; readWholeBytes?: number; what?: string } = {}): ImageFile {
  const label = `${opts.what ?? 'image'} '${path}'`;
  const { fd, size } = openRegularFile(path, opts.what ?? 'image', { write: opts.writeBack });
  try {
    const originals = new Map<number, Uint8Array>();
    const readAt = (offset: number, out: Uint8Array, outOffset: number, length: number) =>
      readFully(fd, out, outOffset, length, offset, label);
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
        try {
          writeSync(fd, data, 0, data.length, offset);
        } catch (e) {
          throw new FileError(`cannot write back to ${label}: ${errnoText(e)}`);
        }
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
    throw e;
  }
}
