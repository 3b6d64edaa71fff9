// @tier full
// syslinux's Hardware Detection Tool (hdt.c32 from Debian's syslinux-common, images.ts) on the
// built-in BIOS and under QEMU 7.2 + SeaBIOS (`-vga std`): it reaches its `hdt>` prompt, lists the
// same PCI devices (found through the PCI BIOS and configuration mechanism #1: IDs and subsystem
// IDs) and finds an SMBIOS table with the same DMI modules. Commands are typed once the prompt is
// there (QEMU: over its serial console; Bootscope: queued keys the BIOS hands out when asked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { hdtImage, missingTools } from './images';
import { QEMU } from '../../host/qemu';

/** The text without ANSI escape sequences and carriage returns. */
const plain = (s: string) => s.replace(/\x1b(\[[0-9;?]*[a-zA-Z]|[%()#][^\x1b]|[^[%()#])/g, '').replace(/\r/g, '');

function bootscope(img: string, keys: string): string {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', img, '--max', '150000000', '--keys', keys, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return plain(JSON.parse(r.stdout).serialText);
}

/**
 * QEMU with the image, its serial console on stdio: each command is written when the prompt it
 * answers (`hdt> `, `pci> `) has appeared as often as expected; returns the serial text once the
 * last prompt is back (or after 90 s).
 */
async function qemu(img: string, commands: string[]): Promise<string> {
  const q = spawn(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-drive', `file=${img},format=raw,snapshot=on`, '-serial', 'stdio'],
    { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  let sent = 0;
  const prompts = () => (plain(out).match(/\w+> /g) ?? []).length;
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 90_000);
      q.stdout.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        if (prompts() > sent && /> $/.test(plain(out))) {
          if (sent === commands.length) { clearTimeout(timer); resolve(); return; }
          q.stdin.write(`${commands[sent++]}\r`);
        }
      });
      q.on('exit', () => { clearTimeout(timer); resolve(); });
    });
  } finally {
    q.kill('SIGKILL');
  }
  return plain(out);
}

/** The lines after `command` up to the next prompt. */
function answer(text: string, command: string): string[] {
  const at = text.indexOf(`> ${command}\n`);
  assert.ok(at >= 0, `no '${command}' in:\n${text}`);
  const rest = text.slice(at + command.length + 3);
  return rest.slice(0, rest.search(/\w+> /)).split('\n').filter(Boolean);
}

test('hdt.c32 reaches its prompt and lists the PCI devices and DMI modules QEMU shows', { skip: missingTools('com32') ?? false }, async () => {
  const img = hdtImage();
  const pci = bootscope(img, 'pci\\nshow\\n');
  assert.match(pci, /Hardware Detection Tool .*\nEntering CLI mode\nhdt> /);
  assert.doesNotMatch(pci, /DMI: ERROR/);
  const dmi = bootscope(img, 'show dmi\\n');
  const q = await qemu(img, ['pci', 'show', 'exit', 'show dmi']);
  const devices = answer(pci, 'show');
  assert.equal(devices[0], '5 PCI devices detected', pci);
  assert.deepEqual(devices, answer(q, 'show'));
  const modules = answer(dmi, 'show dmi');
  assert.match(modules[0], /^DMI Table version 2\.4 found$/);
  // The version differs (SeaBIOS's tables are SMBIOS 2.8); the modules found must not.
  assert.deepEqual(modules.slice(1), answer(q, 'show dmi').slice(1));
});
