// @tier full
// Real images built from Debian's packages at test time (images.ts), each run under QEMU 7.2 and
// under Bootscope with the built-in BIOS and with Debian's SeaBIOS + SeaVGABIOS (`run --bios
// --vga-rom`), to the same milestone: syslinux's memdisk booting a syslinux floppy from a syslinux
// hard disk; Debian's amd64 kernel (vmlinuz, loaded by syslinux) whose setup code refuses a
// Pentium; GRUB reading its grub.cfg from an ext2 partition and halting; a syslinux floppy on the
// built-in BIOS; a hybrid isolinux ISO under SeaBIOS, as a disk and as a CD; Debian's ipxe.iso on
// the pentium2 model to iPXE's "No more network devices". The other corpus images are in cdrom, hdt, memtest, poweroff, vesamenu,
// seabios and seabiosCorpus .test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { qemuAvailable } from '../devices/portScript';
import { BIOS, run, SEABIOS, assertPowersOffAsQemu } from './corpusChecks';
import { debianKernel, GRUB_EXT2_ECHO, grubExt2Image, IPXE_ISO, isolinuxIso, kernelImage, memdiskImage, missingTools, SYSLINUX_SAY, syslinuxFloppy } from './images';
import { qemuSerial, qemuTextScreen } from './qemuSerial';

const noQemu = !qemuAvailable() && 'qemu-system-i386 not installed';
const noSeabios = !existsSync(BIOS) && `${BIOS} is missing (Debian package seabios)`;
/**
 * The two firmware set-ups every image runs under, the built-in BIOS and SeaBIOS with SeaVGABIOS,
 * each with its instruction budget: about a tenth more than the milestone takes (runs are
 * deterministic; SeaBIOS's POST and its INT 13h through the IDE ports cost more instructions).
 */
const firmware = (builtin: number, seabios: number) =>
  [['built-in BIOS', [] as string[], builtin], ['SeaBIOS', SEABIOS, seabios]] as const;

/**
 * Bootscope's summary for `args` (image first) run to `max` instructions, checked to have run
 * cleanly: the BIOS turned down no call but for drives that are not there (syslinux resets drive 00h
 * before it starts a kernel, memdisk asks for drive 00h's geometry; both fail under SeaBIOS too).
 */
function runJson(max: number, ...args: string[]): Record<string, any> {
  const r = run(...args, '--max', String(max), '--screen', '--json');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  for (const e of s.biosLog ?? []) assert.match(e.message, /: no such drive$/, args.join(' '));
  return s;
}

const lf = (s: string) => s.replace(/\r/g, '');

test('memdisk: syslinux loads memdisk and a syslinux floppy, which boots from the RAM disk as drive 00h to its boot: prompt, serial as under QEMU',
  { skip: (missingTools('memdisk') ?? false) || noQemu || noSeabios }, async () => {
    const img = memdiskImage();
    const q = await qemuSerial(['-drive', `file=${img},format=raw,snapshot=on`], 'boot: ');
    // The outer syslinux (EDD, from the hard disk) hands over to the floppy's (CHS, through memdisk's INT 13h).
    assert.match(q, /Loading \/memdisk\.\.\. ok\r\nLoading \/floppy\.img\.\.\.ok\r\n\r\nSYSLINUX 6\.04 [^]*\r\nboot: $/);
    // The floppy's prompt: after 33 and 41 million instructions.
    for (const [name, options, max] of firmware(37_000_000, 46_000_000)) {
      const s = runJson(max, img, ...options);
      assert.equal(lf(s.serialText), lf(q), name);
      const screen = s.screen.map((l: string) => l.trimEnd());
      assert.ok(screen.some((l: string) => /^MEMDISK 6\.04 /.test(l)), `${name}: ${screen.join('\n')}`);
      assert.ok(screen.includes('Disk is fd0, 1440 K, C/H/S = 80/2/18 (FAT/FAT), EDD off, rw'), name);
      assert.ok(screen.includes(SYSLINUX_SAY), name);
    }
  });

test('Debian\'s amd64 kernel, loaded by syslinux on the Pentium model: its setup code says it needs an x86-64 CPU, on serial and screen as under QEMU -cpu pentium',
  { skip: (missingTools('syslinux') ?? false) || noQemu || noSeabios }, async (t) => {
    const kernel = debianKernel();
    if ('missing' in kernel) { t.skip(`Debian's kernel cannot be fetched: ${kernel.missing}`); return; }
    const img = kernelImage(kernel.path);
    const refusal = ['This kernel requires an x86-64 CPU, but only detected an i586 CPU.', 'Unable to boot - please use a kernel appropriate for your CPU.'];
    const q = await qemuSerial(['-cpu', 'pentium', '-drive', `file=${img},format=raw,snapshot=on`], `${refusal[1]}\r\n`);
    assert.ok(lf(q).endsWith(`Loading /vmlinuz... ok\n${refusal.join('\n')}\n`), JSON.stringify(q));
    // The refusal: after 25 and 40.5 million instructions. The setup code then halts with interrupts
    // on, so the run ends at the budget.
    for (const [name, options, max] of firmware(28_000_000, 45_000_000)) {
      const s = runJson(max, img, ...options, '--cpu', 'pentium');
      assert.equal(s.mode, 'real', name);
      assert.equal(lf(s.serialText), lf(q), name);
      const screen = s.screen.map((l: string) => l.trimEnd());
      const at = screen.indexOf(refusal[0]);
      assert.ok(at > 0 && screen[at + 1] === refusal[1] && screen[at - 1] === 'Loading /vmlinuz... ok', `${name}: ${screen.join('\n')}`);
    }
  });

test('GRUB from ext2: boot.img and core.img read grub.cfg from an ext2 partition, which echoes and halts, powering off as under QEMU',
  { skip: (missingTools('ext2') ?? false) || noQemu || noSeabios }, () => {
    for (const options of [[], SEABIOS]) assertPowersOffAsQemu(grubExt2Image(), options, [GRUB_EXT2_ECHO]);
  });

test('a syslinux floppy on the built-in BIOS (--floppy, drive 00h): its config and boot: prompt, serial as under QEMU -fda',
  { skip: (missingTools('syslinux') ?? false) || noQemu }, async () => {
    const img = syslinuxFloppy();
    const s = runJson(18_000_000, img, '--floppy'); // the prompt: after 16 million instructions
    assert.ok(s.screen.map((l: string) => l.trimEnd()).includes(SYSLINUX_SAY));
    assert.ok(s.serialText.endsWith('boot: '), JSON.stringify(s.serialText));
    const q = await qemuSerial(['-drive', `file=${img},format=raw,if=floppy,snapshot=on`], 'boot: ');
    assert.equal(lf(s.serialText), lf(q));
  });

test('a hybrid isolinux ISO under SeaBIOS, as a disk from its MBR and as a CD: serial as under QEMU with -hda and -cdrom',
  { skip: (missingTools('isolinux') ?? false) || noQemu || noSeabios }, async () => {
    const iso = isolinuxIso(true);
    for (const [ours, theirs] of [[[], ['-drive', `file=${iso},format=raw,snapshot=on`]], [['--cdrom'], ['-cdrom', iso]]] as const) {
      const s = runJson(25_000_000, iso, ...SEABIOS, ...ours); // the prompt: after 22.5 million instructions
      assert.ok(s.serialText.endsWith('boot: '), JSON.stringify(s.serialText));
      const q = await qemuSerial([...theirs], 'boot: ');
      assert.equal(lf(s.serialText), lf(q), ours.join(' '));
    }
  });

test('Debian\'s ipxe.iso as a CD on the pentium2 model: its isolinux loads iPXE, which prints its banner and "No more network devices", the screen as under QEMU -cpu pentium2 -cdrom',
  { skip: (!existsSync(IPXE_ISO) && `${IPXE_ISO} is missing (Debian package ipxe)`) || noQemu || noSeabios }, async () => {
    // iPXE wants a P6: its calls into real mode save the x87 with FXSAVE (#UD on the pentium model,
    // as under QEMU -cpu pentium, where it stops after its loader). Neither machine has a NIC.
    const q = await qemuTextScreen(['-cpu', 'pentium2', '-cdrom', IPXE_ISO], 'No more network devices');
    const from = q.findIndex((l) => l.startsWith('ISOLINUX 6.04 ')), end = q.indexOf('No more network devices');
    const want = q.slice(from, end + 1);
    assert.ok(from >= 0 && want.includes('Loading ipxe.krn... ok') && want.some((l) => l.startsWith('iPXE 1.0.0')), q.join('\n'));
    // isolinux's banner names the CD (ETCD), not a hybrid ISO's MBR (EHDD): ipxe.iso has both.
    assert.match(want[0], / ETCD /);
    // The milestone: after 146 and 152 million instructions (mostly iPXE unpacking itself). The
    // built-in BIOS's budget stops short of iPXE's INT 18h back to the BIOS (at 154.7 million).
    for (const [name, options, max] of firmware(152_000_000, 158_000_000)) {
      const s = runJson(max, IPXE_ISO, '--cdrom', '--cpu', 'pentium2', ...options);
      const screen: string[] = s.screen.map((l: string) => l.trimEnd());
      const at = screen.findIndex((l) => l.startsWith('ISOLINUX 6.04 '));
      assert.deepEqual(screen.slice(at, at + want.length), want, name);
    }
  });
