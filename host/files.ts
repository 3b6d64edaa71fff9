// The files a user names as inputs (disk images, firmware, listings, dumps, traces, test vectors):
// only regular files are opened, since a FIFO or a device blocks the open or the read, or reads as
// empty. Errors are FileErrors whose message is one line naming the file and saying why.
// Node only; shared by the CLI and the debug adapter; no vscode.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** A file could not be used; the message names it (exit 1 in the CLI). */
export class FileError extends Error {}

/** What went wrong with a file system call, in words (the caller names the file). */
export function errnoText(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EFBIG': return 'the file is too large for the file system';
    case 'EIO': return 'I/O error';
    case 'ELOOP': return 'too many symbolic links';
    case 'ENAMETOOLONG': return 'the name is too long';
    case 'EADDRINUSE': return 'the port is in use';
    // Node's own text is "CODE: description, syscall 'path'": keep the description.
    default: return /^[A-Z0-9_]+: ([^,]+)/.exec((e as Error).message)?.[1] ?? (e as Error).message;
  }
}

/** null for a regular file, else what it is instead. */
export function notRegular(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'it is a directory';
  const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
  return `it is ${kind}, not a regular file (copy it to a file first)`;
}

/**
 * Opens a regular file for reading (or reading and writing), never blocking: the path is checked
 * before the open, and the open itself is non-blocking with the descriptor checked again.
 */
export function openRegularFile(path: string, what: string, opts: { write?: boolean } = {}): { fd: number; size: number } {
  const fail = (reason: string, writing = false) =>
    new FileError(writing ? `cannot open ${what} '${path}' for writing: ${reason}` : `cannot read ${what} '${path}': ${reason}`);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw fail(errnoText(e));
  }
  const not = notRegular(st);
  if (not) throw fail(not);
  let fd: number;
  try {
    fd = openSync(path, (opts.write ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(errnoText(e), opts.write === true && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS'));
  }
  const now = fstatSync(fd);
  const changed = notRegular(now);
  if (changed) {
    closeSync(fd);
    throw fail(changed);
  }
  return { fd, size: now.size };
}

/** Reads `length` bytes at `position` in full; a short file is a FileError naming it. */
export function readFully(fd: number, out: Uint8Array, outOffset: number, length: number, position: number, label: string): void {
  for (let done = 0; done < length;) {
    let n: number;
    try {
      n = readSync(fd, out, outOffset + done, length - done, position + done);
    } catch (e) {
      throw new FileError(`cannot read ${label}: ${errnoText(e)}`);
    }
    if (n <= 0) throw new FileError(`${label}: the file ended at byte ${position + done} (was it truncated while open?)`);
    done += n;
  }
}

/** Files above this are refused by readInputFile (Node's strings stop at about 512 MiB). */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** The whole of a regular file, at most `maxBytes` (default MAX_INPUT_BYTES). */
export function readInputFile(path: string, what: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  const { fd, size } = openRegularFile(path, what);
  try {
    if (size > maxBytes) {
      const mib = (n: number) => `${Math.ceil(n / 2 ** 20)} MiB`;
      throw new FileError(`cannot read ${what} '${path}': it is ${mib(size)}, more than the ${mib(maxBytes)} read at most`);
    }
    const out = Buffer.alloc(size);
    readFully(fd, out, 0, size, 0, `${what} '${path}'`);
    return out;
  } finally {
    closeSync(fd);
  }
}
