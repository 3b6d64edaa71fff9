// QEMU as the reference for the lock-step boot tests: QEMU 7.2 + SeaBIOS run an image with
// this logging (-singlestep -d cpu,exec,nochain -dfilter 0x500..0x9ffff: one record per
// guest instruction, REP iterations included, BIOS code not logged) and this reads the log while it
// is written, from the first execution of 0000:7C00, until the caller has seen enough; then QEMU is
// killed. Reading as it runs matters: QEMU logs ~50 MB/s, so a log of "the first N seconds" is both
// slower and a guess, and a fixed record count either stops short or wastes time.
//
// The log goes through a FIFO rather than `-D /dev/stdout`: where
// /dev/stdout is not the /proc/self/fd/1 link (it is a plain file on this project's machine) QEMU
// writes the log into that file and the script waits for records that never come.
import { spawn, spawnSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQemuLog, type TraceRecord } from '../../emulator/record/traceDiff';

export const QEMU = 'qemu-system-i386';

/** Why QEMU cannot be run, or null when it can. */
export function qemuMissing(): string | null {
  const q = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return q.status === 0 ? null : `${QEMU} is not installed (Debian: qemu-system-x86; .ci/run installs it)`;
}

export interface QemuTrace {
  /** Guest records from the first 0000:7C00 on, SMM records dropped; `source` = index in this array. */
  records: TraceRecord[];
  /** Wall-clock seconds from QEMU's start to its kill. */
  seconds: number;
}

/**
 * Runs QEMU on `image` and collects guest records until `enough(records)` says so (checked after each
 * block of the log) or `timeoutMs` passes (then it rejects, naming how far QEMU got).
 */
export function qemuTrace(image: string, enough: (records: TraceRecord[]) => boolean, timeoutMs: number): Promise<QemuTrace> {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-'));
  const fifo = join(dir, 'log');
  const mk = spawnSync('mkfifo', [fifo], { encoding: 'utf8' });
  if (mk.status !== 0) throw new Error(`mkfifo: ${mk.stderr}`);
  const started = Date.now();
  const qemu = spawn(QEMU, [
    '-nodefaults', '-display', 'none', '-m', '64',
    '-drive', `file=${image},format=raw,if=ide,snapshot=on`,
    '-serial', 'none', '-monitor', 'none',
    '-singlestep', '-d', 'cpu,exec,nochain', '-dfilter', '0x500..0x9ffff', '-D', fifo,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  qemu.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  // Opened read-write, so the open does not wait for QEMU (forever, if QEMU fails first), and read
  // through the event loop as a pipe, so no read is left blocking in Node's thread pool at the end.
  // End of file never comes this way: QEMU's exit is what says it is gone.
  const log = new Socket({ fd: openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
  const records: TraceRecord[] = [];
  let pending = '';
  let at7c00 = false;
  return new Promise<QemuTrace>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      qemu.kill('SIGKILL');
      log.destroy();
      rmSync(dir, { recursive: true, force: true });
      if (err) reject(err);
      else resolve({ records, seconds: (Date.now() - started) / 1000 });
    };
    const timer = setTimeout(() => finish(new Error(
      `QEMU did not reach the target within ${timeoutMs / 1000} s (${records.length} guest records read)`)), timeoutMs);
    log.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      // Parse whole records only: everything before the last `Trace` line is complete.
      const cut = pending.lastIndexOf('\nTrace ');
      if (cut < 0) return;
      const complete = pending.slice(0, cut + 1);
      pending = pending.slice(cut + 1);
      for (const r of parseQemuLog(complete).records) {
        if (!at7c00 && r.lin !== 0x7c00) continue;
        at7c00 = true;
        records.push({ ...r, source: records.length });
      }
      if (at7c00 && enough(records)) finish(null);
    });
    log.on('error', (e) => finish(e));
    qemu.on('error', (e) => finish(e));
    qemu.on('exit', (code, signal) => finish(new Error(
      `QEMU exited (${signal ?? `status ${code}`}) before the target, after ${records.length} guest records: ${stderr.trim()}`)));
  });
}
