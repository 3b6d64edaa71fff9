// @tier full
// Launch `bios` (and `vgaRom`) through the DAP: the session starts at the reset vector F000:FFF0 with
// Debian's SeaBIOS in place of the built-in BIOS, an instruction breakpoint at 0000:7C00 is reached
// once SeaBIOS has booted the image from the IDE disk, with DL = 80h; a configuration without an
// image boots the firmware alone; bad values are error responses naming the attribute. Skipped
// where the seabios package (.ci/run installs it) is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, pc } from './dapClient';

const BIOS = '/usr/share/seabios/bios.bin', VGA_ROM = '/usr/share/seabios/vgabios-stdvga.bin';
const skip = existsSync(BIOS) ? false : `${BIOS} is missing (Debian package seabios)`;

test('launch bios: stops at the reset vector, SeaBIOS boots the disk to a breakpoint at 0000:7C00', { skip }, async () => {
  const fx = assemble('halt');
  const c = DapClient.spawn();
  try {
    const entry = await c.launch({ image: fx.image, bios: BIOS, vgaRom: VGA_ROM, record: false });
    assert.equal(entry!.body.reason, 'entry');
    assert.equal(await pc(c), 0xfffffff0, 'CS base FFFF0000, IP FFF0');
    assert.match(c.output(), /firmware \/usr\/share\/seabios\/bios\.bin from the reset vector F000:FFF0, \/usr\/share\/seabios\/vgabios-stdvga\.bin as the VGA's ROM/);
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x7c00' }] });
    const stop = c.nextStop(120_000);
    await c.request('continue', { threadId: 1 });
    assert.equal((await stop).body.reason, 'instruction breakpoint');
    assert.equal(await pc(c), 0x7c00);
    const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
    assert.match(stackFrames[0].name!, /^0000:7C00 real \(in call from F000:[0-9A-F]{4}\)$/, 'SeaBIOS far-called the boot sector');
    const regs = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'dl', context: 'watch', frameId: 0 });
    assert.equal(regs.result, '0x80', 'SeaBIOS boots the first hard disk');
  } finally {
    await c.close();
  }
});

test('launch firmware: "seabios" runs Debian\'s bios-256k.bin with SeaVGABIOS from the reset vector', { skip }, async () => {
  const c = DapClient.spawn();
  try {
    await c.launch({ image: assemble('halt').image, firmware: 'seabios', record: false });
    assert.equal(await pc(c), 0xfffffff0);
    assert.match(c.output(), /firmware \/usr\/share\/seabios\/bios-256k\.bin from the reset vector F000:FFF0, \/usr\/share\/seabios\/vgabios-stdvga\.bin as the VGA's ROM/);
  } finally {
    await c.close();
  }
});

test('launch bios without an image runs the firmware alone; vgaRom without bios, and a missing firmware file, are errors', { skip }, async () => {
  const alone = DapClient.spawn();
  try {
    await alone.launch({ bios: BIOS, record: false });
    assert.equal(await pc(alone), 0xfffffff0);
  } finally {
    await alone.close();
  }
  for (const [config, message] of [
    [{ image: assemble('halt').image, vgaRom: VGA_ROM }, /'vgaRom' needs 'bios'/],
    [{ image: assemble('halt').image, bios: '/nonexistent/bios.bin' }, /firmware image '.*nonexistent\/bios\.bin'/],
    [{}, /'image' is missing: .* \(it is optional only with 'bios', 'firmware': "seabios", 'hd', 'fd' or 'cdrom': a path\)/],
  ] as const) {
    const c = DapClient.spawn();
    try {
      await c.request('initialize', { adapterID: 'bootscope', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      const r = await c.raw('launch', { type: 'bootscope', request: 'launch', ...config });
      assert.equal(r.success, false, JSON.stringify(config));
      assert.match(r.message ?? '', message);
    } finally {
      await c.close();
    }
  }
});
