// bootscope/readScreen in a VBE graphics mode: the VBE probe (test/devices/fixtures/vbeProbe.asm)
// sets 640x480x32 and draws; at its stop the Screen panel's request answers with the picture as a
// PNG beside the text fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScreenResponse } from '../../protocol/customRequests';
import { DapClient } from './dapClient';
import { vbeProbeImage } from '../devices/vbeProbe';

test('readScreen gives the VBE picture as a PNG', async () => {
  const img = join(mkdtempSync(join(tmpdir(), 'bootscope-dap-vbe-')), 'vbe.img');
  writeFileSync(img, vbeProbeImage(0x142));
  const c = DapClient.spawn();
  try {
    const before = c.events.length;
    await c.launch({ image: img, stopOnEntry: false, record: false });
    await c.waitFor('stopped', () => true, 60_000, before);
    const s = await c.request<ScreenResponse>('bootscope/readScreen');
    assert.deepEqual({ ...s.graphics, png: undefined }, { width: 640, height: 480, bpp: 32, png: undefined });
    const png = Buffer.from(s.graphics!.png, 'base64');
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
    assert.equal(png.readUInt32BE(16), 640);
    assert.equal(s.text.length, 25, 'the text fields stay');
  } finally {
    c.close();
  }
});
