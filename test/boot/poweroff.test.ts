// @tier full
// GRUB's `halt` (the GRUB image of images.ts, whose grub.cfg echoes and halts) and syslinux's
// poweroff.c32 power the machine off under QEMU 7.2 + SeaBIOS — QEMU exits by itself — and under
// Bootscope's built-in BIOS, where they connect to the APM BIOS (GRUB through its 32-bit interface's
// information, poweroff.c32 in real mode) and set the power state to off: the run ends with
// `poweroff` after the same serial text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRUB_ECHO, grubImage, missingTools, poweroffImage } from './images';
import { QEMU } from '../../host/qemu';

for (const [name, build, tools] of [["GRUB's halt", grubImage, 'grub'], ['syslinux poweroff.c32', poweroffImage, 'com32']] as const) {
  test(`${name} powers off as under QEMU`, { skip: missingTools(tools) ?? false }, () => {
    const img = build();
    const r = spawnSync(process.execPath, ['dist/cli.js', 'run', img, '--max', '200000000', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.stopReason, 'poweroff');
    assert.deepEqual(s.biosLog, []);
    // GRUB's kernel decompressed, read grub.cfg from FAT through the BIOS and echoed from both configs.
    if (build === grubImage) {
      for (const line of [GRUB_ECHO, 'grub.cfg: normal mode reached']) assert.ok(s.serialText.includes(line), s.serialText);
    }
    const log = join(mkdtempSync(join(tmpdir(), 'bootscope-poweroff-')), 'serial');
    const q = spawnSync(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', '-drive', `file=${img},format=raw,snapshot=on`, '-serial', `file:${log}`],
      { timeout: 120_000 });
    assert.equal(q.signal, null, 'QEMU did not power off by itself');
    assert.equal(q.status, 0);
    const qemuSerial = existsSync(log) ? readFileSync(log, 'latin1') : '';
    assert.match(qemuSerial, /SYSLINUX|grub\.cfg: normal mode reached/);
    assert.equal(s.serialText, qemuSerial);
  });
}
