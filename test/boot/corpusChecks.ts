// The milestones of the corpus images (images.ts), each checked as its boot test does and shared by
// the runs on the built-in BIOS (memtest, hdt, vesamenu, poweroff .test.ts) and under SeaBIOS with
// SeaVGABIOS (seabiosCorpus.test.ts): the same image, firmware options and QEMU reference.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { QEMU } from '../../host/qemu';

/** Debian's SeaBIOS and SeaVGABIOS (package seabios). */
export const BIOS = '/usr/share/seabios/bios.bin', VGA_ROM = '/usr/share/seabios/vgabios-stdvga.bin';
/** `bootscope run`'s options for SeaBIOS with SeaVGABIOS as the VGA's ROM. */
export const SEABIOS = ['--bios', BIOS, '--vga-rom', VGA_ROM];

const dir = mkdtempSync(join(tmpdir(), 'bootscope-corpus-'));
export const run = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'run', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

/**
 * memtest86+ (memtestImage) runs its 32-bit test loop within `max` instructions, its screen says so,
 * with the RAM the firmware's E820 map gives for the default 64 MiB: `memory` as memtest shows it.
 */
export function assertMemtestTesting(img: string, firmware: string[], max: number, memory = '64MB'): void {
  const r = run(img, ...firmware, '--max', String(max), '--screen', '--json');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.stopReason, 'max');
  assert.equal(s.mode, 'protected32');
  assert.match(s.serialText, /SYSLINUX 6\.04/);
  assert.match(s.serialText, /Memtest86\+/);
  const screen = s.screen.join('\n');
  assert.match(screen, /Memtest86\+ v6\.\d+/);
  assert.match(screen, new RegExp(`Memory\\s*:\\s*${memory}`));
  assert.match(screen, /Testing/);
}

/**
 * The image (a disk, or with `cdrom` a CD) powers the machine off after the serial text QEMU shows
 * before it powers off, `lines` among it.
 */
export function assertPowersOffAsQemu(img: string, firmware: string[], lines: string[] = [], cdrom = false): void {
  const r = run(img, ...firmware, ...(cdrom ? ['--cdrom'] : []), '--max', '200000000', '--json');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.stopReason, 'poweroff');
  assert.deepEqual(s.biosLog, []);
  for (const line of lines) assert.ok(s.serialText.includes(line), s.serialText);
  const log = join(mkdtempSync(join(dir, 'poweroff-')), 'serial');
  const drive = cdrom ? ['-cdrom', img] : ['-drive', `file=${img},format=raw,snapshot=on`];
  const q = spawnSync(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', ...drive, '-serial', `file:${log}`],
    { timeout: 120_000 });
  assert.equal(q.signal, null, 'QEMU did not power off by itself');
  assert.equal(q.status, 0);
  const qemuSerial = existsSync(log) ? readFileSync(log, 'latin1') : '';
  assert.match(qemuSerial, /SYSLINUX|grub\.cfg: normal mode reached|grub\.cfg reached/);
  assert.equal(s.serialText, qemuSerial);
}

/** The text without ANSI escape sequences and carriage returns. */
export const plain = (s: string) => s.replace(/\x1b(\[[0-9;?]*[a-zA-Z]|[%()#][^\x1b]|[^[%()#])/g, '').replace(/\r/g, '');

/** Bootscope's serial text (plain) for hdt's image with `args` (keys, firmware) after 150 M instructions. */
export function hdtBootscope(img: string, ...args: string[]): string {
  const r = run(img, ...args, '--max', '150000000', '--json');
  assert.equal(r.status, 0, r.stderr);
  return plain(JSON.parse(r.stdout).serialText);
}

/**
 * QEMU with the image, its serial console on stdio: each command is written when the prompt it
 * answers (`hdt> `, `pci> `) has appeared as often as expected; returns the serial text once the
 * last prompt is back (or after 90 s).
 */
export async function hdtQemu(img: string, commands: string[]): Promise<string> {
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
export function hdtAnswer(text: string, command: string): string[] {
  const at = text.indexOf(`> ${command}\n`);
  assert.ok(at >= 0, `no '${command}' in:\n${text}`);
  const rest = text.slice(at + command.length + 3);
  return rest.slice(0, rest.search(/\w+> /)).split('\n').filter(Boolean);
}

/**
 * QEMU's screen once the menu stands: after serial shows the menu's last entry, screendumps until
 * two in a row are the same picture.
 */
async function qemuScreen(img: string, cpu: string[]): Promise<Buffer> {
  const at = mkdtempSync(join(dir, 'vesamenu-qemu-'));
  const log = join(at, 'serial');
  const q = spawn(QEMU, [...cpu, '-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-monitor', 'stdio',
    '-drive', `file=${img},format=raw,snapshot=on`, '-serial', `file:${log}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  const until = async (done: () => boolean) => {
    for (const end = Date.now() + 90_000; Date.now() < end && !done() && q.exitCode === null;) await new Promise((r) => setTimeout(r, 200));
  };
  let n = 0;
  const dump = async (): Promise<Buffer> => {
    const shot = join(at, `${n++}.ppm`);
    q.stdin.write(`screendump ${shot}\n`);
    await until(() => existsSync(shot) && readFileSync(shot).length >= 15 + 640 * 480 * 3);
    return readFileSync(shot);
  };
  try {
    // vesamenu mirrors the menu on serial; the last line it draws there is the second entry.
    await until(() => existsSync(log) && readFileSync(log, 'latin1').includes('Second entry'));
    let prev = await dump();
    for (let i = 0; i < 20; i++) {
      const next = await dump();
      if (next.equals(prev)) return next;
      prev = next;
    }
    return prev;
  } finally {
    q.kill('SIGKILL');
  }
}

/**
 * vesamenu (vesamenuImage) run with our options `options` draws its menu in the VBE mode QEMU with
 * `qemuCpu` and SeaVGABIOS shows: the same picture but for the glyphs (the font INT 10h AX=1130h hands
 * out), every word of each text line where QEMU's is, to 3 pixels; `share`: of the pixels, how many
 * at least are QEMU's.
 */
export async function vesamenuAsQemu(img: string, options: string[], qemuCpu: string[], share = 0.95): Promise<void> {
  const png = join(mkdtempSync(join(dir, 'vesamenu-')), 'ours.png');
  const r = run(img, ...options, '--max', '150000000', '--json', '--screenshot', png);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.graphics, { width: 640, height: 480, bpp: 24 });
  assert.deepEqual(s.biosLog, []);
  const ppm = await qemuScreen(img, qemuCpu);
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 32));
  assert.ok(m);
  assert.deepEqual([Number(m[1]), Number(m[2])], [640, 480]);
  const qemu = ppm.subarray(m[0].length);
  // host/png.ts writes 8-bit RGBA rows with filter 0 in one IDAT.
  const b = readFileSync(png);
  const raw = inflateSync(b.subarray(41, 41 + b.readUInt32BE(33)));
  const ours = (x: number, y: number, c: number) => raw[y * (1 + 640 * 4) + 1 + x * 4 + c];
  const theirs = (x: number, y: number, c: number) => qemu[(y * 640 + x) * 3 + c];
  let same = 0;
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) if ([0, 1, 2].every((c) => ours(x, y, c) === theirs(x, y, c))) same++;
  }
  assert.ok(same / (640 * 480) >= share, `${same} of ${640 * 480} pixels as QEMU's`);
  const qemuLines = textLines(theirs), ourLines = textLines(ours);
  assert.equal(qemuLines.length, 4, 'title, two entries, help line');
  for (const line of qemuLines) {
    const want = words(theirs, line), got = words(ours, line);
    const near = got.length === want.length && got.every(([a, b], i) => Math.abs(a - want[i][0]) <= 3 && Math.abs(b - want[i][1]) <= 3);
    assert.ok(near, `rows ${line.join('–')}: words at ${JSON.stringify(got)}, QEMU's at ${JSON.stringify(want)}`);
  }
  // Our text lines are QEMU's, top and bottom rows to a few pixels (no ink between or beside them).
  assert.equal(ourLines.length, qemuLines.length, JSON.stringify(ourLines));
  ourLines.forEach(([a, b], i) => assert.ok(Math.abs(a - qemuLines[i][0]) <= 3 && Math.abs(b - qemuLines[i][1]) <= 3,
    `our line ${a}–${b}, QEMU's ${qemuLines[i].join('–')}`));
}

type Pixel = (x: number, y: number, c: number) => number;

/**
 * Ink: a pixel that differs sharply (by more than 40 in a channel) from its left or upper neighbour;
 * vesamenu's background is a smooth gradient, its glyphs are not.
 */
const ink = (px: Pixel, x: number, y: number) =>
  [0, 1, 2].some((c) => Math.abs(px(x, y, c) - px(x - 1, y, c)) > 40 || Math.abs(px(x, y, c) - px(x, y - 1, c)) > 40);

/** Runs of columns (gaps of up to 4 pixels joined) from a sorted list. */
function runs(cols: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const x of cols) {
    const last = out[out.length - 1];
    if (last && x - last[1] <= 4) last[1] = x;
    else out.push([x, x]);
  }
  return out;
}

/** Ink runs of row y inside the menu box (x 96–543, inside its side lines), lines (200+ px) left out. */
function rowRuns(px: Pixel, y: number): [number, number][] {
  const cols: number[] = [];
  for (let x = 96; x < 544; x++) if (ink(px, x, y)) cols.push(x);
  return runs(cols).filter(([a, b]) => b - a < 200);
}

/** The text lines: bands of consecutive rows with ink runs. */
function textLines(px: Pixel): [number, number][] {
  const bands: [number, number][] = [];
  for (let y = 1; y < 480; y++) {
    if (rowRuns(px, y).length === 0) continue;
    const last = bands[bands.length - 1];
    if (last && last[1] === y - 1) last[1] = y;
    else bands.push([y, y]);
  }
  return bands;
}

/** The words of a text line: runs of the columns with ink in any of its rows. */
function words(px: Pixel, [top, bottom]: [number, number]): [number, number][] {
  const cols = new Set<number>();
  for (let y = top; y <= bottom; y++) for (const [a, b] of rowRuns(px, y)) for (let x = a; x <= b; x++) cols.add(x);
  return runs([...cols].sort((a, b) => a - b));
}
