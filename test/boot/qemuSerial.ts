// QEMU 7.2 booting a drive until its serial output (or its text screen) shows a text (a loader's prompt): what the boot
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

/**
 * Runs QEMU with `drive` and the standard VGA until its 80x25 text screen (read from B8000h through
 * the monitor's pmemsave) shows `until` (or 60 s); returns the screen's lines, trailing blanks cut.
 */
export async function qemuTextScreen(drive: string[], until: string, extra: string[] = []): Promise<string[]> {
  const at = mkdtempSync(join(dir, 'screen-'));
  const q = spawn(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-monitor', 'stdio', ...drive, ...extra],
    { stdio: ['pipe', 'ignore', 'ignore'] });
  let lines: string[] = [];
  try {
    for (let n = 0, end = Date.now() + 60_000; Date.now() < end && q.exitCode === null; n++) {
      await new Promise((r) => setTimeout(r, 500));
      const file = join(at, `${n}.bin`);
      q.stdin.write(`pmemsave 0xb8000 4000 "${file}"\n`);
      for (let i = 0; i < 20 && !(existsSync(file) && readFileSync(file).length === 4000); i++) await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(file)) continue;
      const b = readFileSync(file);
      lines = Array.from({ length: 25 }, (_, row) =>
        Array.from({ length: 80 }, (_, col) => String.fromCharCode(b[(row * 80 + col) * 2])).join('').trimEnd());
      if (lines.join('\n').includes(until)) break;
    }
  } finally {
    q.kill('SIGKILL');
  }
  return lines;
}
