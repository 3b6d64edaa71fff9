// @tier full
// VBE against QEMU 7.2 (`-vga std`, SeaVGABIOS; skipped without qemu-system-i386 and nasm): the VBE
// probe (fixtures/vbeProbe.asm) reports the same controller information and, for every mode
// Bootscope offers, the same mode information (but bit 6 of the attributes: Bootscope has no banked
// window); and after it has drawn in 8-, 16- and 32-bit modes, QEMU's screendump and Bootscope's
// frame are the same picture, pixel for pixel. An 8-bit mode set loads the same default palette.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootImage } from '../bios/harness';
import { assembleProbe, qemuAvailable } from './portScript';
import { vbeProbeImage } from './vbeProbe';
import { QEMU } from '../../host/qemu';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-vbe-'));

/** Runs the probe in QEMU; once it printed DONE, takes a screendump. Returns serial and the PPM. */
async function qemu(mode: number): Promise<{ serial: string; ppm: Buffer }> {
  const img = join(dir, `probe-${mode.toString(16)}.img`);
  writeFileSync(img, vbeProbeImage(mode));
  const log = `${img}.serial`, shot = `${img}.ppm`;
  const q = spawn(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-monitor', 'stdio',
    '-drive', `file=${img},format=raw,if=ide,snapshot=on`, '-serial', `file:${log}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  const serial = () => (existsSync(log) ? readFileSync(log, 'latin1') : '');
  try {
    const until = async (done: () => boolean) => {
      for (const end = Date.now() + 60_000; Date.now() < end && !done();) await new Promise((r) => setTimeout(r, 100));
    };
    await until(() => serial().includes('DONE') || q.exitCode !== null);
    q.stdin.write(`screendump ${shot}\n`);
    // The dump is complete when the file has its header's size.
    await until(() => existsSync(shot) && readFileSync(shot).length >= 15 + 640 * 480 * 3);
  } finally {
    q.kill('SIGKILL');
  }
  return { serial: serial(), ppm: readFileSync(shot) };
}

/** P6 PPM → width, height, RGB bytes. */
function parsePpm(ppm: Buffer): { width: number; height: number; rgb: Buffer } {
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 32));
  assert.ok(m, 'not a P6 PPM');
  return { width: Number(m[1]), height: Number(m[2]), rgb: ppm.subarray(m[0].length) };
}

for (const mode of [0x101, 0x111, 0x142, 0x143]) {
  test(`mode ${mode.toString(16)}h: mode information and the drawn picture as under QEMU`, { skip: !qemuAvailable() && 'qemu-system-i386 or nasm not installed' }, async () => {
    const q = await qemu(mode);
    const r = bootImage(vbeProbeImage(mode), { max: 40_000_000 });
    const ours = r.m.devices.com1.output;
    const qemuModes = new Map([...q.serial.matchAll(/^MODE (\w{4}) (.*)$/gm)].map((x) => [x[1], x[2]]));
    for (const [, m, rest] of ours.matchAll(/^MODE (\w{4}) (.*)$/gm)) {
      assert.equal(rest.replace(/^00FB/, '00BB'), qemuModes.get(m), `mode ${m}`);
    }
    assert.equal(/^INFO .*$/m.exec(ours)?.[0], /^INFO .*$/m.exec(q.serial)?.[0]);
    assert.match(ours, /DONE/);
    const shot = parsePpm(q.ppm);
    const frame = r.m.devices.vbe.frame(r.m.devices.vga.dac)!;
    assert.deepEqual([frame.width, frame.height], [shot.width, shot.height]);
    let diff = 0, first = '';
    for (let p = 0; p < frame.width * frame.height; p++) {
      for (let c = 0; c < 3; c++) {
        if (frame.rgba[p * 4 + c] !== shot.rgb[p * 3 + c]) {
          if (!diff) first = `pixel (${p % frame.width}, ${Math.floor(p / frame.width)}): ours ${[...frame.rgba.subarray(p * 4, p * 4 + 3)]}, QEMU ${[...shot.rgb.subarray(p * 3, p * 3 + 3)]}`;
          diff++;
          break;
        }
      }
    }
    assert.equal(diff, 0, `${diff} pixels differ; first ${first}`);
  });
}

test('an 8-bit mode set loads the DAC with the palette QEMU\'s VGA BIOS loads', { skip: !qemuAvailable() && 'qemu-system-i386 or nasm not installed' }, () => {
  const bin = join(dir, 'dac.bin');
  assembleProbe('test/devices/fixtures/dacProbe.asm', bin);
  const img = new Uint8Array(1 << 20);
  img.set(readFileSync(bin));
  const path = join(dir, 'dac.img');
  writeFileSync(path, img);
  const log = `${path}.serial`;
  spawnSync(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01',
    '-drive', `file=${path},format=raw,if=ide,snapshot=on`, '-serial', `file:${log}`], { timeout: 20_000 });
  const qemuDac = existsSync(log) ? readFileSync(log, 'latin1').trim() : '';
  assert.equal(qemuDac.length, 256 * 3 * 2, qemuDac);
  assert.equal(bootImage(img).m.devices.com1.output.trim(), qemuDac);
});
