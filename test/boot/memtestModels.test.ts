// @tier full
// memtest86+ v6 (images.ts) on the 80486 and Pentium models: it names the CPU from CPUID's vendor,
// family and model (a late 486DX, the IntelDX4; a Pentium). On the Pentium it reaches its test loop
// and, with the integrated FPU, keeps its elapsed time (without an x87 it reads 1325:33:20, README
// "Time"); the 486 has no time-stamp counter, so memtest shows no clock and waits at its start
// prompt (QEMU `-cpu 486` gets no further than clearing the screen).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MEMTEST, memtestImage } from './images';

function memtestScreen(cpu: string): string {
  assert.ok(existsSync(MEMTEST), `${MEMTEST} is missing: install Debian's memtest86+ (.ci/run does)`);
  const r = spawnSync('node', ['dist/cli.js', 'run', memtestImage(), '--cpu', cpu, '--max', '60000000', '--screen', '--json'],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).screen.join('\n');
}

test('memtest86+ on the pentium model names the CPU "Pentium", tests memory and keeps time', () => {
  const screen = memtestScreen('pentium');
  assert.match(screen, /Memtest86\+ v6\.\d+\s+│ Pentium\s/);
  assert.match(screen, /CLK\/Temp:\s+4MHz/);
  assert.match(screen, /Status: Testing/);
  assert.match(screen, /Time:\s+0:00:\d\d/);
});

test('memtest86+ on the 80486 model names the CPU "Intel 486DX4" and finds no TSC', () => {
  const screen = memtestScreen('80486');
  assert.match(screen, /Memtest86\+ v6\.\d+\s+│ Intel 486DX4\s/);
  assert.match(screen, /CLK\/Temp:\s+N\/A/);
  assert.match(screen, /<Enter> to start testing/);
});
