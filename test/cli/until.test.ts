// `bootscope run --until SSSS:OOOO` matches CS:IP exactly in every mode: the selector and IP are
// compared, whatever the mode (a CS:IP breakpoint, as Bochs `vb`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('--until 0008:OOOO stops at the first protected-mode instruction; --until 0000:OOOO in real mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-until-'));
  const bin = join(dir, 'ss.bin');
  execFileSync('nasm', ['-f', 'bin', 'test/cli/fixtures/ssRpl3.asm', '-o', bin, '-l', join(dir, 'ss.lst')]);
  const lines = readFileSync(join(dir, 'ss.lst'), 'utf8').split('\n');
  const pmLine = lines[lines.findIndex((l) => /^\s*\d+\s+pm:/.test(l)) + 1];
  const pm = 0x7c00 + parseInt(pmLine.trim().split(/\s+/)[1], 16);
  const run = (...a: string[]) => JSON.parse(spawnSync('node', ['dist/cli.js', 'run', bin, '--json', ...a], { encoding: 'utf8' }).stdout);
  const hex4 = (n: number) => n.toString(16).padStart(4, '0');
  const s = run('--until', `0008:${hex4(pm)}`);
  assert.equal(s.stopReason, 'until');
  assert.equal(s.segments.cs.selector, 8);
  assert.equal(s.registers.eip, pm);
  assert.equal(s.mode, 'protected16');
  // The same offset under selector 0 is never reached (CS is 0 only in real mode, before the far jump).
  const never = run('--until', `0000:${hex4(pm)}`, '--max', '5000');
  assert.notEqual(never.stopReason, 'until');
  const real = run('--until', '0000:7C05');
  assert.equal(real.stopReason, 'until');
  assert.equal(real.registers.eip, 0x7c05);
});
