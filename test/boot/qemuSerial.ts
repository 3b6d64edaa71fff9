// QEMU 7.2 booting a drive until its serial output shows a text (a loader's prompt): what the boot
// tests compare Bootscope's serial output with.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QEMU } from '../../host/qemu';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-serial-'));

/** Runs QEMU with `drive` (e.g. ['-cdrom', iso]) until serial shows `until` (or 60 s); returns serial. */
export async function qemuSerial(drive: string[], until: string, extra: string[] = []): Promise<string> {
  const log = join(dir, `${Math.random().toString(36).slice(2)}.serial`);
  const q = spawn(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', ...drive, '-serial', `file:${log}`, ...extra], { stdio: 'ignore' });
  try {
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 200));
      if (existsSync(log) && readFileSync(log, 'latin1').includes(until)) break;
      if (q.exitCode !== null) break;
    }
  } finally {
    q.kill('SIGKILL');
  }
  return existsSync(log) ? readFileSync(log, 'latin1') : '';
}
