// @tier full
// `bootscope compare` with several drives and a boot order: QEMU 7.2 gets the same drives on the
// same places, read-only, with the same order (-boot order= and a bootindex on a drive named alone),
// and the two run in lock-step from 0000:7C00. Each boot sector (tagDrives.ts) loads its tag, DL and
// the tags of drives 80h and 81h into AL: every register compared at every instruction, so agreeing
// into the loop it ends in means both booted the same drive and numbered the others alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { qemuMissing } from '../../host/qemu';
import { tagDrives as drives } from './tagDrives';

/** What our run printed. */
function ours(args: string[]): string {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', ...args, '--max', '1000', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).debugText;
}

/** Instructions compared: the program's 30-odd and then its final loop. */
const BUDGET = 200;

test('compare with two hard disks (the second booted) and with a CD beside a hard disk: both machines agree into the final loop', { skip: qemuMissing() ?? false }, () => {
  const d = drives();
  for (const [args, printed] of [
    [['--hd', d.a, '--hd', d.b, '--boot', 'hd2'], 'B\x80BA'],
    [['--cdrom', d.cd, '--hd', d.a], 'C\xe0A-'],
    [[d.a, '--cdrom', d.cd, '--boot', 'hd,cdrom'], 'A\x80A-'],
  ] as const) {
    assert.equal(ours([...args]), printed, `${args.join(' ')}: our run`);
    const r = spawnSync(process.execPath, ['dist/cli.js', 'compare', ...args, '--max', String(BUDGET)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^no divergence: ${BUDGET} instructions from 0000:7C00 agree \\(the budget\\)`), args.join(' '));
  }
});

test('compare refuses a boot order naming a drive that is not there, and no drive at all (exit 2)', () => {
  const d = drives();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'compare', d.a, '--boot', 'hd2'], { encoding: 'utf8' });
  assert.deepEqual([r.status, r.stderr.trim()], [2, 'bootscope compare: --boot: hd2 names no drive: the machine has 1 hard disk']);
  const none = spawnSync(process.execPath, ['dist/cli.js', 'compare', '--firmware', 'seabios'], { encoding: 'utf8' });
  assert.deepEqual([none.status, none.stderr.trim()], [2, 'bootscope compare: no IMAGE given (it is optional only with --hd, --fd or --cdrom ISO)']);
});
