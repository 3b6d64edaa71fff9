// `bootscope run` with several drives (--hd, --fd, --cdrom ISO) and --boot under the built-in BIOS:
// the drive booted, the numbers and counts the guest sees, what the bios log says about the devices
// passed over; and the misuses (one file as two drives, more drives than the machine has, unknown
// boot devices) as usage errors; gdbserver's listening line names the drive booted. test/boot/bootOrder.test.ts holds the same runs to QEMU's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { linkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driveSet, report } from '../boot/driveSet';
import { type DriveFiles, openDrives } from '../../cli/run/disk';
import { UsageError } from '../../cli/args';

const d = driveSet();
const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'run', ...args], { encoding: 'utf8' });
const json = (...args: string[]) => {
  const r = cli(...args, '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('IMAGE, --hd, --fd and --cdrom ISO with --boot: the CD passed over, hard disk 80h not bootable, the floppy boots', () => {
  writeFileSync(join(d.dir, 'data.bin'), new Uint8Array(64 * 2048));
  const s = json(d.a, '--hd', d.b, '--fd', d.f, '--fd', d.g, '--cdrom', join(d.dir, 'data.bin'), '--boot', 'cdrom,hd,fd');
  assert.equal(report(s.debugText), '[F 00 02 02 80:A 81:B 00:F 01:G]');
  assert.deepEqual(s.biosLog.slice(0, 2).map((e: { message: string }) => e.message), [
    `${join(d.dir, 'data.bin')}: not a bootable CD image: no ISO 9660 volume descriptor (CD001) at sector 16; trying the next boot device`,
    `${d.a} (drive 80h): not a bootable disk (sector 0 does not end with 55 AA); trying the next boot device`,
  ]);
});

test('without --boot: the CD first, then IMAGE\'s drive; IMAGE stays a disk beside --cdrom ISO', () => {
  assert.equal(report(json(d.f, '--floppy', '--hd', d.b).debugText), '[F 00 01 01 80:B 81:- 00:F 01:-]');
  assert.equal(report(json(d.b, '--fd', d.f, '--cdrom', d.c).debugText), '[C E0 01 01 80:B 81:- 00:F 01:-]');
  assert.equal(report(json('--cdrom', d.c).debugText)?.slice(0, 5), '[C E0', '--cdrom ISO alone');
});

test('one file as two drives, too many drives, bad boot orders: usage errors naming what is wrong', () => {
  symlinkSync(d.b, join(d.dir, 'link.img'));
  linkSync(d.b, join(d.dir, 'hard.img'));
  const files = (f: Partial<DriveFiles>): DriveFiles => ({ floppy: false, imageIsCd: false, hd: [], fd: [], cdrom: null, ...f });
  for (const [image, f, message] of [
    [d.b, files({ hd: [d.b] }), `--hd '${d.b}' is the same file as image '${d.b}': one file cannot be two drives`],
    [undefined, files({ hd: [d.b], fd: [join(d.dir, 'link.img')] }), `--fd '${join(d.dir, 'link.img')}' is the same file as --hd '${d.b}': one file cannot be two drives`],
    [undefined, files({ hd: [d.b], cdrom: join(d.dir, 'hard.img') }), `--cdrom '${join(d.dir, 'hard.img')}' is the same file as --hd '${d.b}': one file cannot be two drives`],
    [d.a, files({ hd: [d.b, d.d, d.f], cdrom: d.c }), '4 hard disks and a CD: the two IDE channels hold 4 drives'],
    [undefined, files({ fd: [d.f, d.g, d.a] }), '3 floppies: the floppy controller has drives A and B'],
  ] as const) {
    assert.throws(() => openDrives(image, f), (e: unknown) => e instanceof UsageError && e.message === message, message);
  }
  // Through the command line: exit 2 and one line, for the drives and for the boot order.
  for (const [args, message] of [[[d.b, '--hd', join(d.dir, 'link.img')], `--hd '${join(d.dir, 'link.img')}' is the same file as image '${d.b}'`],
    [[d.b, '--boot', 'net'], '--boot: "net" is not a boot device: use fd, hd, cdrom, or one drive: fd1, fd2, hd1 ... hd4 (or QEMU\'s letters a, c, d)'],
    [[d.b, '--boot', 'hd2'], '--boot: hd2 names no drive: the machine has 1 hard disk']] as const) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`bootscope run: ${message}`), r.stderr);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  }
});

test('a --cdrom file that is no El Torito ISO is attached as QEMU attaches it; with nothing else to boot, one line says why (exit 1)', () => {
  const r = cli('--cdrom', d.a);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `bootscope run: ${d.a}: not a bootable CD image: no ISO 9660 volume descriptor (CD001) at sector 16\n`);
});

test('gdbserver --boot: the listening line names the drive booted, not IMAGE, and where it stopped', async () => {
  const proc = spawn(process.execPath, ['dist/cli.js', 'gdbserver', d.a, '--hd', d.b, '--fd', d.f, '--boot', 'fd', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  try {
    const line = await new Promise<string>((res, rej) => {
      proc.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.includes('\n')) res(err);
      });
      proc.on('exit', (code) => rej(new Error(`gdbserver exited (${code}): ${err}`)));
    });
    assert.match(line, new RegExp(`^bootscope gdbserver: booted ${d.f.replace(/[.\\/]/g, '\\$&')} \\(drive 00h\\), stopped at 0000:7C00; listening on 127\\.0\\.0\\.1:\\d+ `));
  } finally {
    proc.kill();
  }
});
