// Builds the real-loader test images from Debian's packages at test time,
// cached in test/.out/boot-images (git-ignored): the syslinux image (mbr.bin → FAT16 VBR →
// ldlinux.sys) and the GRUB image (boot.img → diskboot.img + core.img → GRUB's kernel). memtest86+
// is not assumed: syslinux.cfg only SAYs a line and GRUB's early config echoes one.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CACHE = resolve('test/.out/boot-images');

export const SYSLINUX_SAY = 'bootscope-syslinux-say: ldlinux.sys read its config';
export const ISOLINUX_SAY = 'bootscope-isolinux-say: isolinux read its config';
export const GRUB_ECHO = 'GRUB core reached (32-bit protected mode); loading normal';

/** Why a tool the image needs is missing, or null when all are there. */
export function missingTools(kind: 'syslinux' | 'grub' | 'isolinux' | 'com32' | 'rescue' | 'memdisk' | 'ext2'): string | null {
  const need = {
    syslinux: ['/usr/lib/syslinux/mbr/mbr.bin', '/usr/bin/syslinux', '/usr/bin/mcopy', '/usr/sbin/mkfs.fat', '/usr/sbin/sfdisk'],
    com32: ['/usr/lib/syslinux/mbr/mbr.bin', '/usr/bin/syslinux', '/usr/bin/mcopy', '/usr/sbin/mkfs.fat', '/usr/sbin/sfdisk', `${MODULES}/hdt.c32`, `${MODULES}/poweroff.c32`, `${MODULES}/vesamenu.c32`],
    grub: ['/usr/lib/grub/i386-pc/boot.img', '/usr/bin/grub-mkimage', '/usr/bin/mcopy', '/usr/sbin/mkfs.fat', '/usr/sbin/sfdisk'],
    isolinux: [ISOLINUX_BIN, ISOHYBRID_MBR, LDLINUX_C32, '/usr/bin/xorriso'],
    rescue: ['/usr/bin/grub-mkrescue', '/usr/lib/grub/i386-pc/cdboot.img', '/usr/bin/xorriso'],
    memdisk: ['/usr/lib/syslinux/mbr/mbr.bin', '/usr/bin/syslinux', '/usr/bin/mcopy', '/usr/sbin/mkfs.fat', '/usr/sbin/sfdisk', MEMDISK],
    ext2: ['/usr/lib/grub/i386-pc/boot.img', '/usr/bin/grub-mkimage', '/usr/sbin/mkfs.ext2', '/usr/sbin/sfdisk'],
  }[kind];
  const missing = need.filter((p) => !existsSync(p));
  const packages = kind === 'isolinux' ? 'isolinux syslinux-common xorriso' : kind === 'rescue' ? 'grub-common grub-pc-bin xorriso'
    : kind === 'ext2' ? 'grub-common grub-pc-bin e2fsprogs fdisk' : 'syslinux syslinux-common grub-pc-bin mtools dosfstools fdisk';
  return missing.length ? `missing ${missing.join(', ')} (Debian: ${packages})` : null;
}

const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
const LDLINUX_C32 = '/usr/lib/syslinux/modules/bios/ldlinux.c32';
const ISOHYBRID_MBR = '/usr/lib/ISOLINUX/isohdpfx.bin';

function sh(script: string, cwd: string): void {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`image build failed:\n${script}\n${r.stderr}`);
}

/** Builds (once) and returns the path of the syslinux FAT16 image. */
export function syslinuxImage(): string {
  return syslinuxFat16('syslinux-fat16-v2.img', [
    'SERIAL 0 115200', 'PROMPT 0', 'TIMEOUT 0', `SAY ${SYSLINUX_SAY}`, 'DEFAULT none', 'LABEL none', '  LINUX /none.bin',
  ], []);
}

/**
 * Builds (once) and returns the path of CACHE/`file`: a 32 MiB hard disk, syslinux's MBR, a FAT16
 * partition at 1 MiB with ldlinux, `cfg` as syslinux.cfg and `files` ([host path, name]) copied in.
 */
function syslinuxFat16(file: string, cfg: readonly string[], files: readonly (readonly [string, string])[]): string {
  const out = join(CACHE, file);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'syslinux-build-'));
  writeFileSync(join(tmp, 'syslinux.cfg'), [...cfg, ''].join('\n'));
  sh(`
truncate -s 32M img
printf 'label: dos\\nunit: sectors\\nstart=2048, type=6, bootable\\n' | sfdisk -q img
dd if=/usr/lib/syslinux/mbr/mbr.bin of=img bs=440 count=1 conv=notrunc status=none
mkfs.fat -F 16 -n BOOTTEST --offset 2048 -h 2048 img 31744 >/dev/null
mcopy -i img@@1M syslinux.cfg ::/syslinux.cfg
${files.map(([src, name]) => `mcopy -i img@@1M ${src} ::/${name}\n`).join('')}syslinux --install --offset 1048576 img
`, tmp);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

/** Builds (once) and returns the path of the GRUB image. */
export function grubImage(): string {
  // Not test/disk's grub-fat16.img: this one's grub.cfg echoes and halts instead of loading memtest86+.
  const out = join(CACHE, 'grub-echo-fat16.img');
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'grub-build-'));
  writeFileSync(join(tmp, 'grub-early.cfg'), [
    'serial --unit=0 --speed=115200', 'terminal_input serial console', 'terminal_output serial console',
    'set root=(hd0,msdos1)', 'set prefix=(hd0,msdos1)/boot/grub', `echo "${GRUB_ECHO}"`, '',
  ].join('\n'));
  writeFileSync(join(tmp, 'grub.cfg'), 'set timeout=0\necho "grub.cfg: normal mode reached"\nhalt\n');
  sh(`
grub-mkimage -O i386-pc -o core.img -c grub-early.cfg -p '(hd0,msdos1)/boot/grub' biosdisk part_msdos fat normal serial terminal echo halt multiboot linux cpuid
truncate -s 32M img
printf 'label: dos\\nunit: sectors\\nstart=2048, type=6, bootable\\n' | sfdisk -q img
dd if=/usr/lib/grub/i386-pc/boot.img of=img bs=440 count=1 conv=notrunc status=none
dd if=core.img of=img bs=512 seek=1 conv=notrunc status=none
mkfs.fat -F 16 -n GRUBTEST --offset 2048 -h 2048 img 31744 >/dev/null
mmd -i img@@1M ::/boot ::/boot/grub
mcopy -i img@@1M grub.cfg ::/boot/grub/grub.cfg
`, tmp);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

const MODULES = '/usr/lib/syslinux/modules/bios';

/** Debian's memtest86+ v6, 32-bit build. */
export const MEMTEST = '/boot/memtest86+ia32.bin';

/** Builds (once) and returns the path of the syslinux image that boots memtest86+ with its console on serial too. */
export function memtestImage(): string {
  return syslinuxFat16('syslinux-memtest.img', ['SERIAL 0 115200', 'DEFAULT memtest', 'PROMPT 0', 'TIMEOUT 1', 'LABEL memtest',
    '  LINUX /memtest.bin', '  APPEND console=ttyS0,115200'], [[MEMTEST, 'memtest.bin']]);
}

/**
 * Builds (once) and returns the path of a syslinux FAT16 image `syslinux-NAME.img` with the config
 * `cfg` (after SERIAL 0 115200) and COM32 modules from Debian's syslinux-common.
 */
function syslinuxModuleImage(name: string, cfg: string[], modules: string[]): string {
  return syslinuxFat16(`syslinux-${name}.img`, ['SERIAL 0 115200', ...cfg], modules.map((m) => [`${MODULES}/${m}.c32`, `${m}.c32`]));
}

/**
 * An image (`syslinux-IMAGE.img`) whose only entry runs the COM32 module `name` (with `append`), its
 * libraries beside it.
 */
function syslinuxCom32Image(name: string, append: string, libs: string[], image = name): string {
  return syslinuxModuleImage(image, ['PROMPT 0', 'TIMEOUT 0', `DEFAULT ${name}`, `LABEL ${name}`, `  COM32 ${name}.c32`,
    ...(append ? [`  APPEND ${append}`] : [])], [name, ...libs]);
}

/**
 * syslinux's Hardware Detection Tool (hdt.c32) in its command-line mode on the serial console; with
 * `auto`, it runs those commands first (its auto mode), as if typed.
 */
export function hdtImage(auto: string[] = []): string {
  const libs = ['libcom32', 'libutil', 'libmenu', 'libgpl'];
  return auto.length === 0 ? syslinuxCom32Image('hdt', 'nomenu', libs)
    : syslinuxCom32Image('hdt', `nomenu auto='${auto.join(';')}'`, libs, `hdt-auto-${auto.join('-')}`);
}

/** syslinux's graphical menu (vesamenu.c32) with two entries and no timeout. */
export function vesamenuImage(): string {
  return syslinuxModuleImage('vesamenu', ['UI vesamenu.c32', 'MENU TITLE Bootscope vesamenu test', 'TIMEOUT 0',
    'LABEL one', '  MENU LABEL First entry', '  LINUX /none.bin', 'LABEL two', '  MENU LABEL Second entry', '  LINUX /none.bin'],
  ['vesamenu', 'libcom32', 'libutil']);
}

/** syslinux's poweroff.c32, which switches the machine off through the APM BIOS. */
export function poweroffImage(): string {
  return syslinuxCom32Image('poweroff', '', ['libcom32', 'libutil']);
}

/**
 * Builds (once) and returns the path of an isolinux ISO, El Torito no-emulation, 4 virtual sectors
 * loaded, with the boot info table: plain (sector 0 is zeros), or `hybrid` with isolinux's
 * isohdpfx.bin MBR (bootable as a hard disk too).
 */
export function isolinuxIso(hybrid = false): string {
  const out = join(CACHE, hybrid ? 'isolinux-hybrid.iso' : 'isolinux-plain.iso');
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'isolinux-build-'));
  mkdirSync(join(tmp, 'root/isolinux'), { recursive: true });
  writeFileSync(join(tmp, 'root/isolinux/isolinux.cfg'), [
    'SERIAL 0 115200', 'PROMPT 0', 'TIMEOUT 0', `SAY ${ISOLINUX_SAY}`, 'DEFAULT none', 'LABEL none', '  LINUX /none.bin', '',
  ].join('\n'));
  sh(`
cp ${ISOLINUX_BIN} ${LDLINUX_C32} root/isolinux/
xorriso -as mkisofs -quiet -o img ${hybrid ? `-isohybrid-mbr ${ISOHYBRID_MBR}` : ''} -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table root
`, tmp);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

export const GRUB_RESCUE_ECHO = 'grub-mkrescue: grub.cfg reached';

/**
 * Builds (once) and returns the path of grub-mkrescue's ISO (El Torito no emulation, and a hybrid
 * MBR): its grub.cfg echoes on serial and halts.
 */
export function grubRescueIso(): string {
  const out = join(CACHE, 'grub-mkrescue.iso');
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'grub-mkrescue-build-'));
  mkdirSync(join(tmp, 'root/boot/grub'), { recursive: true });
  writeFileSync(join(tmp, 'root/boot/grub/grub.cfg'), [
    'serial --unit=0 --speed=115200', 'terminal_input serial console', 'terminal_output serial console', 'set timeout=0',
    `echo "${GRUB_RESCUE_ECHO}"`, 'halt', '',
  ].join('\n'));
  sh('grub-mkrescue -o img root 2>/dev/null', tmp);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

/**
 * Builds (once) and returns the path of a 1.44M FAT12 floppy with syslinux installed (the same
 * syslinux.cfg as syslinuxImage).
 */
export function syslinuxFloppy(): string {
  const out = join(CACHE, 'syslinux-floppy.img');
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'floppy-build-'));
  writeFileSync(join(tmp, 'syslinux.cfg'), [
    'SERIAL 0 115200', 'PROMPT 0', 'TIMEOUT 0', `SAY ${SYSLINUX_SAY}`, 'DEFAULT none', 'LABEL none', '  LINUX /none.bin', '',
  ].join('\n'));
  sh(`
truncate -s 1440K img
mkfs.fat -n FLOPPY img >/dev/null
mcopy -i img syslinux.cfg ::/syslinux.cfg
syslinux --install img
`, tmp);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

/** Builds (once) and returns the path of an El Torito ISO in 1.44M floppy emulation: syslinuxFloppy as its boot image. */
export function syslinuxFloppyIso(): string {
  const out = join(CACHE, 'syslinux-floppy-emulation.iso');
  if (existsSync(out)) return out;
  const floppy = syslinuxFloppy();
  const tmp = mkdtempSync(join(CACHE, 'floppy-iso-build-'));
  mkdirSync(join(tmp, 'root'));
  sh(`
cp ${floppy} root/floppy.img
xorriso -as mkisofs -quiet -o img -b floppy.img -c boot.cat root
`, tmp);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

/** A syslinux floppy (syslinuxFloppy) booted from a syslinux hard disk through syslinux's memdisk. */
export function memdiskImage(): string {
  return syslinuxFat16('syslinux-memdisk.img', ['SERIAL 0 115200', 'PROMPT 0', 'TIMEOUT 0', 'DEFAULT floppy', 'LABEL floppy',
    `  LINUX /memdisk`, '  INITRD /floppy.img'], [[MEMDISK, 'memdisk'], [syslinuxFloppy(), 'floppy.img']]);
}

export const MEMDISK = '/usr/lib/syslinux/memdisk';

export const GRUB_EXT2_ECHO = 'ext2: grub.cfg reached';

/**
 * Builds (once) and returns the path of an 8 MiB disk with GRUB's boot.img and core.img (ext2 module)
 * and an ext2 partition (mkfs.ext2 -d) holding its grub.cfg, which echoes on serial and halts.
 */
export function grubExt2Image(): string {
  const out = join(CACHE, 'grub-ext2.img');
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'grub-ext2-build-'));
  mkdirSync(join(tmp, 'root/boot/grub'), { recursive: true });
  writeFileSync(join(tmp, 'root/boot/grub/grub.cfg'), [
    'serial --unit=0 --speed=115200', 'terminal_input serial console', 'terminal_output serial console', 'set timeout=0',
    `echo "${GRUB_EXT2_ECHO}"`, 'halt', '',
  ].join('\n'));
  sh(`
grub-mkimage -O i386-pc -o core.img -p '(hd0,msdos1)/boot/grub' biosdisk part_msdos ext2 normal serial terminal echo halt
truncate -s 8M img
printf 'label: dos\\nunit: sectors\\nstart=2048, type=83, bootable\\n' | sfdisk -q img
dd if=/usr/lib/grub/i386-pc/boot.img of=img bs=440 count=1 conv=notrunc status=none
dd if=core.img of=img bs=512 seek=1 conv=notrunc status=none
mkfs.ext2 -q -F -E offset=1048576 -d root img 7168k
`, tmp);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

/** Debian's iPXE CD image (package ipxe): isolinux loading ipxe.lkrn. */
export const IPXE_ISO = '/usr/lib/ipxe/ipxe.iso';

/** Debian's cloud kernel package for amd64: the smallest .deb with an x86-64 bzImage (about 26 MB). */
const KERNEL_PACKAGE = 'linux-image-cloud-amd64';

/**
 * Debian's amd64 kernel (vmlinuz from the package KERNEL_PACKAGE depends on), fetched with `apt-get
 * download` into CACHE once; the reason when it cannot be fetched.
 */
export function debianKernel(): { path: string } | { missing: string } {
  const out = join(CACHE, 'vmlinuz-amd64');
  if (existsSync(out)) return { path: out };
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'kernel-fetch-'));
  try {
    const dep = spawnSync('apt-cache', ['depends', KERNEL_PACKAGE], { encoding: 'utf8' });
    const name = /Depends: (linux-image-\S+)/.exec(dep.stdout ?? '')?.[1];
    if (!name) return { missing: `apt-cache knows no ${KERNEL_PACKAGE} (run apt-get update): ${dep.error?.message ?? dep.stderr}` };
    const got = spawnSync('apt-get', ['download', '-q', name], { cwd: tmp, encoding: 'utf8' });
    if (got.status !== 0) return { missing: `apt-get download ${name} failed: ${got.error?.message ?? got.stderr.trim()}` };
    sh(`dpkg-deb --fsys-tarfile *.deb | tar -x --wildcards './boot/vmlinuz-*'
mv boot/vmlinuz-* vmlinuz`, tmp);
    renameSync(join(tmp, 'vmlinuz'), out);
    return { path: out };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** syslinux booting `kernel` (an x86-64 bzImage) with its early console on serial. */
export function kernelImage(kernel: string): string {
  return syslinuxFat16('syslinux-kernel.img', ['SERIAL 0 115200', 'PROMPT 0', 'TIMEOUT 0', 'DEFAULT linux', 'LABEL linux',
    '  LINUX /vmlinuz', '  APPEND earlyprintk=serial,ttyS0,115200'], [[kernel, 'vmlinuz']]);
}

export { execFileSync };
