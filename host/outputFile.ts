// Files the CLI writes (traces, lists): an output may never name one of the inputs (checked on the
// resolved file, before anything is opened for writing), and a regular file is written to a
// temporary file beside it and renamed into place when complete, so a failed or interrupted run
// leaves the old file as it was. A device or FIFO (/dev/stdout, >(gzip)) is written directly.
// Node only; no vscode.
import {
  closeSync, constants, fchmodSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errnoText, FileError } from './files';

export interface NamedFile {
  /** How the command line names it: "image", "--trace". */
  what: string;
  path: string;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The path with symbolic links resolved, also for a file that does not exist yet (its directory's). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** A file's resolved path and, for a regular file, its device and inode (a hard link is the same file). */
function id(f: NamedFile): { real: string; inode: string | null } {
  const st = statOrNull(f.path);
  return { real: realPath(f.path), inode: st && st.isFile() ? `${st.dev}:${st.ino}` : null };
}

/**
 * Two of `drives` that are one file (the same path, a symbolic or a hard link), as a sentence, or
 * null: one file cannot be two drives (a guest's writes through one would change the other).
 */
export function sharedDriveFile(drives: NamedFile[]): string | null {
  const seen: { f: NamedFile; real: string; inode: string | null }[] = [];
  for (const d of drives) {
    const me = { f: d, ...id(d) };
    const same = seen.find((x) => x.real === me.real || (me.inode !== null && x.inode === me.inode));
    if (same) return `${d.what} '${d.path}' is the same file as ${same.f.what} '${same.f.path}': one file cannot be two drives`;
    seen.push(me);
  }
  return null;
}

/**
 * Why an output may not be written — it is one of the inputs (same resolved path or same file, e.g.
 * a hard link) or another output — or null. Call before opening anything for writing.
 */
export function outputConflict(outputs: NamedFile[], inputs: NamedFile[]): string | null {
  const ins = inputs.map((f) => ({ f, ...id(f) }));
  const seen: { f: NamedFile; real: string; inode: string | null }[] = [];
  for (const o of outputs) {
    const out = { f: o, ...id(o) };
    const same = [...ins, ...seen].find((x) => x.real === out.real || (out.inode !== null && x.inode === out.inode));
    if (same) {
      const role = ins.some((i) => i === same) ? 'input' : 'output';
      return `${o.what} '${o.path}' is the same file as the ${role} ${same.f.what} '${same.f.path}': refusing to overwrite it`;
    }
    seen.push(out);
  }
  return null;
}

/** The reader of a pipe the output goes to has gone (`--trace /dev/stdout | head`): not a failure. */
export class ReaderGoneError extends FileError {}

const pending = new Set<OutputFile>();
// An exit before commit (standard output closed, an error) must not leave temporary files behind.
process.on('exit', () => { for (const f of pending) f.discard(); });

/** An output file, buffered; `commit()` puts it in place, `discard()` drops it. */
export class OutputFile {
  private fd: number;
  private readonly temp: string | null;
  private readonly target: string;
  private buf: string[] = [];
  private size = 0;

  /** Opens `path` for writing; errors are FileErrors naming `what` and `path`. */
  constructor(private readonly what: string, private readonly path: string) {
    const st = statOrNull(path);
    this.target = st ? realPath(path) : path;
    try {
      if (st && !st.isFile()) {
        if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
        if (st.isFIFO()) {
          // Without a reader the open would wait forever: a non-blocking open says so at once.
          closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
        }
        this.temp = null;
        this.fd = openSync(path, 'w');
      } else {
        this.temp = join(dirname(this.target), `.${basename(this.target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
        this.fd = openSync(this.temp, 'wx');
        if (st) fchmodSync(this.fd, st.mode & 0o7777);
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENXIO' ? 'no process is reading this FIFO' : code === 'ENOENT' ? 'its directory does not exist' : errnoText(e);
      throw new FileError(`cannot write ${what} '${path}': ${why}`);
    }
    pending.add(this);
  }

  write(text: string): void {
    this.buf.push(text);
    this.size += text.length;
    if (this.size > 1 << 18) this.flush();
  }

  /** Binary data (after the text written before it). */
  writeBytes(data: Uint8Array): void {
    this.flush();
    this.writeOut(data);
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const data = Buffer.from(this.buf.join(''));
    this.buf = [];
    this.size = 0;
    this.writeOut(data);
  }

  private writeOut(data: Uint8Array): void {
    try {
      for (let done = 0; done < data.length;) done += writeSync(this.fd, data, done);
    } catch (e) {
      this.discard();
      const message = `cannot write ${this.what} '${this.path}': ${errnoText(e)}`;
      throw (e as NodeJS.ErrnoException).code === 'EPIPE' ? new ReaderGoneError(message) : new FileError(message);
    }
  }

  /** Writes what is buffered and puts the file in place. */
  commit(): void {
    this.flush();
    try {
      closeSync(this.fd);
      this.fd = -1;
      if (this.temp) renameSync(this.temp, this.target);
    } catch (e) {
      this.discard();
      throw new FileError(`cannot write ${this.what} '${this.path}': ${errnoText(e)}`);
    }
    pending.delete(this);
  }

  /** Drops the output: the temporary file is removed, an existing file keeps its old contents. */
  discard(): void {
    pending.delete(this);
    if (this.fd >= 0) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = -1;
    }
    if (this.temp) {
      try { unlinkSync(this.temp); } catch { /* renamed or never created */ }
    }
  }
}
