// @tier full
// `bootscope explain-fault` on fresh logs: examples/triple-fault run under QEMU (`-d int,cpu_reset -no-reboot`) and
// under Bochs (reset_on_triple_fault=0: it stops with a panic and its register dump), each log then
// explained with the image: Bootscope's chain must agree with what the other emulator logged. A missing emulator
// fails; BOOTSCOPE_SKIP_QEMU=1 / BOOTSCOPE_SKIP_BOCHS=1 leave one out.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { image, NO_NASM } from '../examples/helpers';
import { BOCHS_BIOS, BOCHS_VGA, bochsMissing, haveTool } from '../pm/harness';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-faultlogs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function explain(log: string): any {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'explain-fault', log, '--image', image('triple-fault'), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout);
}

const qemuSkip = NO_NASM || (process.env.BOOTSCOPE_SKIP_QEMU === '1' && 'BOOTSCOPE_SKIP_QEMU=1');
test('QEMU: the triple fault it logs is the chain Bootscope explains (#DE → #DF → shutdown, GATE.CS.NOT_PRESENT)', { skip: qemuSkip }, () => {
  assert.ok(haveTool('qemu-system-i386'), 'qemu-system-i386 is not installed (apt-get install qemu-system-x86)');
  const log = join(dir, 'qemu.log');
  const r = spawnSync('qemu-system-i386', ['-drive', `file=${image('triple-fault')},format=raw,if=ide,snapshot=on`, '-display', 'none',
    '-no-reboot', '-d', 'int,cpu_reset', '-D', log], { timeout: 60_000, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(log, 'latin1'), /Triple fault/);
  const j = explain(log);
  assert.equal(j.agrees, true);
  assert.equal(j.logged.path, '#DE → #DF → shutdown');
  assert.deepEqual(j.fault.chain.map((l: { rule: string }) => l.rule), ['GATE.CS.NOT_PRESENT', 'GATE.CS.NOT_PRESENT']);
});

const bochsSkip = NO_NASM || (process.env.BOOTSCOPE_SKIP_BOCHS === '1' && 'BOOTSCOPE_SKIP_BOCHS=1');
test('Bochs: its panic line and register dump lead to the same chain', { skip: bochsSkip }, () => {
  const missing = bochsMissing();
  assert.equal(missing, null, missing ?? '');
  const floppy = join(dir, 'floppy.img');
  const img = new Uint8Array(1474560);
  img.set(readFileSync(image('triple-fault')));
  writeFileSync(floppy, img);
  const log = join(dir, 'bochs.log');
  writeFileSync(join(dir, 'bochsrc'), [
    'megs: 16', `romimage: file=${BOCHS_BIOS}`, `vgaromimage: file=${BOCHS_VGA}`, `floppya: 1_44=${floppy}, status=inserted`, 'boot: floppy',
    'display_library: rfb, options="timeout=0"', 'clock: sync=none, time0=local', 'cpu: count=1, ips=50000000, reset_on_triple_fault=0', 'port_e9_hack: enabled=1',
    `log: ${log}`, 'panic: action=fatal', 'error: action=report', 'info: action=report', 'debug: action=ignore', 'speaker: enabled=0',
    'sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy', '',
  ].join('\n'));
  // The debugger's `c` runs the guest; the panic at the triple fault ends Bochs (the timeout only guards a hang).
  writeFileSync(join(dir, 'debug.rc'), 'c\nquit\n');
  spawnSync('bochs', ['-q', '-f', join(dir, 'bochsrc'), '-rc', join(dir, 'debug.rc')], { timeout: 300_000, stdio: 'ignore' });
  assert.match(readFileSync(log, 'latin1'), /3rd \(11\) exception with no resolution/);
  const j = explain(log);
  assert.equal(j.source, 'bochs');
  assert.equal(j.agrees, true);
  assert.ok(j.logged.messages.includes('interrupt(): segment not present'));
});
