// examples/hello: INT 10h teletype, INT 13h extensions (AH=41h, AH=42h) and INT 16h, through `bootscope run`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { image, marker, NO_NASM, runJson, segoff } from './helpers';

test('hello prints, reads LBA 1 with AH=42h, waits for the key and echoes it', { skip: NO_NASM }, () => {
  const j = runJson([image('hello'), '--keys', 'x', '--screen']);
  assert.equal(j.stopReason, 'halt');
  assert.equal(j.mode, 'real');
  const screen = j.screen.join('\n');
  assert.match(screen, /^Hello from the boot sector!/);
  assert.match(screen, /LBA 1 says: SECTOR-1 MARKER: read with INT 13h AH=42h/);
  assert.match(screen, /Press a key\.\.\.\s+You pressed: x\s+Bye\./);
});

test('hello without a key stays in INT 16h: the prompt is shown, no echo', { skip: NO_NASM }, () => {
  const j = runJson([image('hello'), '--screen', '--max', '300000']);
  const screen = j.screen.join('\n');
  assert.match(screen, /Press a key\.\.\./);
  assert.doesNotMatch(screen, /You pressed/);
  assert.notEqual(j.stopReason, 'halt');
});

test('hello: --until on the #READ marker stops before the AH=42h call with AH=42h, DL=80h and DS:SI at the packet', { skip: NO_NASM }, () => {
  const read = marker('hello', 'READ');
  const j = runJson([image('hello'), '--until', segoff(0, read.address)]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.registers.eax >> 8 & 0xff, 0x42);
  assert.equal(j.registers.edx & 0xff, 0x80, 'DL = boot drive 80h');
  assert.ok(j.registers.esi > read.address && j.registers.esi < 0x7c00 + 446, 'DS:SI = the disk address packet in the sector');
});
