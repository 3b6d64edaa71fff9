// @tier full
// `bootscope compare` with several drives and a boot order: QEMU 7.2 gets the same drives on the
// same places, read-only, with the same order (-boot order= and a bootindex on a drive named alone),
// and the two run in lock-step from 0000:7C00. Each boot sector loads its own tag letter into AL,
// then DL, then reads sector 0 of drives 80h and 81h through INT 13h and loads their tags: every
// register compared at every instruction, so agreeing into the loop it ends in means both booted
// the same drive and numbered the others alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../bios/harness';
import { makeIso } from '../disk/isoFixture';
import { qemuMissing } from '../../host/qemu';

const TAG = 0x1f0;

function program(tag: string): Uint8Array {
  const code = assemble(`
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov al, [0x7c00 + ${TAG}]
  out 0xe9, al
  mov al, dl
  out 0xe9, al
  mov dl, 0x80
  call tagOf
  mov dl, 0x81
  call tagOf
  cli
.spin:
  jmp .spin
tagOf:
  mov ax, 0x0201
  mov cx, 0x0001
  xor dh, dh
  mov bx, 0x8000
  int 0x13
  mov al, '-'
  jc .put
  mov al, [0x8000 + ${TAG}]
.put:
  out 0xe9, al
  ret`);
  code[TAG] = tag.charCodeAt(0);
  return code;
}

function drives() {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-compare-drives-'));
  const disk = (tag: string) => {
    const img = new Uint8Array(1 << 20);
    img.set(program(tag));
    writeFileSync(join(dir, `${tag}.img`), img);
    return join(dir, `${tag}.img`);
  };
  const cd = join(dir, 'c.iso');
  writeFileSync(cd, makeIso(program('C')));
  return { a: disk('A'), b: disk('B'), cd };
}

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
