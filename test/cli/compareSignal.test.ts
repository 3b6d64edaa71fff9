// @tier full
// `bootscope compare` killed while it runs (Ctrl-C, SIGTERM, a closed terminal) takes its QEMU with it and
// dies of the same signal: no QEMU is left running and logging on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`compare stopped by ${signal}: its QEMU goes too`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-compare-signal-'));
    const image = join(dir, 'loop.img');
    const boot = Buffer.alloc(512);
    boot.set([0x40, 0xeb, 0xfd]); // l: inc ax / jmp l — agrees for ever
    boot.set([0x55, 0xaa], 510);
    writeFileSync(image, boot);
    const cli = spawn(process.execPath, ['dist/cli.js', 'compare', image, '--max', '1000000000'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let qemu = 0;
    for (let i = 0; i < 100 && !qemu; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const p = spawnSync('pgrep', ['-P', String(cli.pid), 'qemu'], { encoding: 'utf8' });
      qemu = Number(p.stdout.trim().split('\n')[0]) || 0;
    }
    assert.ok(qemu > 0, 'compare started QEMU');
    const exited = once(cli, 'exit');
    cli.kill(signal);
    const [code, sig] = await exited;
    assert.deepEqual([code, sig], [null, signal], 'compare dies of the signal');
    for (let i = 0; i < 50 && alive(qemu); i++) await new Promise((r) => setTimeout(r, 100));
    const left = alive(qemu);
    if (left) process.kill(qemu, 'SIGKILL');
    assert.equal(left, false, `QEMU (pid ${qemu}) ended with compare`);
  });
}
