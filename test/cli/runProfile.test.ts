// `bootscope run --profile NAME` with --break-on-emulation / --break-on-vmentry-failure, per
// docs/CLI.md: the stop lands on the instruction boundary where the verdict changes, and
// the JSON summary carries the verdict with the failing checks and their SDM sections.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-profile-'));
const bin = join(dir, 'ss.bin');
let movCr0End = 0;

before(() => {
  execFileSync('nasm', ['-f', 'bin', 'test/cli/fixtures/ssRpl3.asm', '-o', bin, '-l', join(dir, 'ss.lst')]);
  // The address right after `mov cr0, eax`, from the listing (offset + 3 bytes, at org 0x7C00).
  const line = readFileSync(join(dir, 'ss.lst'), 'utf8').split('\n').find((l) => /^\s*\d+\s+[0-9A-F]{8}\s+0F22C0\s+mov cr0, eax/.test(l))!;
  movCr0End = 0x7c00 + parseInt(line.trim().split(/\s+/)[1], 16) + 3;
});

function run(...args: string[]): Record<string, any> {
  const r = spawnSync('node', ['dist/cli.js', 'run', bin, '--json', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

for (const profile of ['xen-vm86', 'kvm-rmode']) {
  test(`${profile}: --break-on-emulation stops right after mov cr0 with SS.RPL 3`, () => {
    const s = run('--profile', profile, '--break-on-emulation');
    assert.equal(s.stopReason, 'emulation');
    assert.equal(s.segments.cs.selector, 0);
    assert.equal(s.registers.eip, movCr0End);
    assert.equal(s.control.cr0 & 1, 1);
    assert.equal(s.vmentry.profile, profile);
    assert.equal(s.vmentry.verdict, 'emulate');
    assert.match(s.vmentry.reason, /SS/);
  });
}

test('unrestricted: the state enters, the run goes to its end', () => {
  const s = run('--profile', 'unrestricted', '--break-on-vmentry-failure');
  assert.equal(s.stopReason, 'halt');
  assert.equal(s.debugText, 'D');
  assert.equal(s.vmentry.verdict, 'enter');
});

test('raw: real mode cannot be entered at all; the failures name CR0 fixed bits with their SDM section', () => {
  const s = run('--profile', 'raw', '--break-on-vmentry-failure');
  assert.equal(s.stopReason, 'vmentry-failure');
  assert.equal(s.instructions, 0);
  assert.equal(s.vmentry.verdict, 'fail');
  assert.ok(s.vmentry.failures.some((f: any) => f.section === '26.3.1.1' && /CR0/.test(f.message)));
});

test('--break-on-emulation without --profile is a usage error (exit 2)', () => {
  const r = spawnSync('node', ['dist/cli.js', 'run', bin, '--break-on-emulation'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--profile/);
});
