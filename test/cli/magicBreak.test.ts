// `bootscope run --magic-break`: Bochs's magic breakpoint stops right after `xchg bx, bx` (stop
// reason breakpoint, the detail says so); without the option the same image runs to its HLT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('--magic-break stops after xchg bx, bx; without it the run ends at HLT', () => {
  const bin = join(mkdtempSync(join(tmpdir(), 'bootscope-magic-')), 'magic.bin');
  execFileSync('nasm', ['-f', 'bin', 'test/dap/fixtures/magic.asm', '-o', bin]);
  const run = (...a: string[]) => JSON.parse(spawnSync('node', ['dist/cli.js', 'run', bin, '--json', ...a], { encoding: 'utf8' }).stdout);
  const s = run('--magic-break');
  assert.equal(s.stopReason, 'breakpoint');
  assert.equal(s.detail, 'magic breakpoint: xchg bx, bx at 0000:7C06');
  assert.equal(s.registers.eip, 0x7c08, 'after the xchg');
  assert.equal(s.registers.eax, 1, 'the first round');
  const plain = run();
  assert.equal(plain.stopReason, 'halt');
  assert.equal(plain.registers.ecx & 0xffff, 0, 'the loop ran out');
  assert.equal(plain.registers.eax & 0xffff, 0x0044, "'D' in AL");
  const human = spawnSync('node', ['dist/cli.js', 'run', bin, '--magic-break'], { encoding: 'utf8' }).stdout;
  assert.match(human, /^stop: breakpoint \(magic breakpoint: xchg bx, bx at 0000:7C06\)$/m);
});
