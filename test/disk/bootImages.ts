// Builds the two real-loader disk images of test/boot/images.ts (syslinux and GRUB on a 32 MiB
// FAT16 disk) with the Debian tools, cached in test/.out/boot-images (git-ignored). Returns null when
// a tool is missing, so tests can skip. memtest86+ is the kernel both load; when its package is not
// installed a placeholder file stands in (enough for everything up to the loaders' kernel load).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BOOT_IMAGE_DIR = join('test', '.out', 'boot-images');
const MEMTEST = '/boot/memtest86+ia32.bin';

function sh(script: string, cwd: string): { ok: boolean; output: string } {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function have(tools: string[]): boolean {
  return tools.every((t) => spawnSync('bash', ['-c', `command -v ${t}`]).status === 0);
}

function kernel(dir: string): string {
  if (existsSync(MEMTEST)) return MEMTEST;
  const p = join(dir, 'memtest-placeholder.bin');
  if (!existsSync(p)) writeFileSync(p, 'placeholder: memtest86+ is not installed\n');
  return p;
}

/** Image A: syslinux mbr.bin → FAT16 VBR → ldlinux.sys. Returns the image path, or null. */
export function syslinuxImage(): string | null {
  const img = join(BOOT_IMAGE_DIR, 'syslinux-fat16.img');
  if (existsSync(img)) return img;
  if (!have(['sfdisk', 'mkfs.fat', 'mcopy', 'syslinux', 'truncate']) || !existsSync('/usr/lib/syslinux/mbr/mbr.bin')) return null;
  mkdirSync(BOOT_IMAGE_DIR, { recursive: true });
  const k = kernel(BOOT_IMAGE_DIR);
  const dir = mkdtempSync(join(BOOT_IMAGE_DIR, 'syslinux-build-'));  // parallel test files may build at once
  writeFileSync(join(dir, 'syslinux.cfg'), [
    'SERIAL 0 115200', 'DEFAULT memtest', 'PROMPT 0', 'TIMEOUT 1',
    'SAY syslinux: loading memtest86+ (32-bit protected mode kernel)', 'LABEL memtest', '  LINUX /memtest.bin',
    '  APPEND console=ttyS0,115200', '',
  ].join('\n'));
  const r = sh(`
    rm -f tmp-syslinux.img
    truncate -s 32M tmp-syslinux.img
    printf 'label: dos\\nunit: sectors\\nstart=2048, type=6, bootable\\n' | sfdisk -q tmp-syslinux.img
    dd if=/usr/lib/syslinux/mbr/mbr.bin of=tmp-syslinux.img bs=440 count=1 conv=notrunc status=none
    mkfs.fat -F 16 -n BOOTTEST --offset 2048 -h 2048 tmp-syslinux.img 31744 >/dev/null
    mcopy -i tmp-syslinux.img@@1M syslinux.cfg ::/syslinux.cfg
    mcopy -i tmp-syslinux.img@@1M '${k.startsWith('/') ? k : join(process.cwd(), k)}' ::/memtest.bin
    syslinux --install --offset 1048576 tmp-syslinux.img
    mv tmp-syslinux.img ../syslinux-fat16.img`, dir);
  rmSync(dir, { recursive: true, force: true });
  if (!r.ok) throw new Error(`building the syslinux image failed:\n${r.output}`);
  return img;
}

/** Image B: GRUB boot.img → diskboot.img + core.img at LBA 1. Returns the image path, or null. */
export function grubImage(): string | null {
  const img = join(BOOT_IMAGE_DIR, 'grub-fat16.img');
  if (existsSync(img)) return img;
  if (!have(['sfdisk', 'mkfs.fat', 'mcopy', 'mmd', 'grub-mkimage', 'truncate']) || !existsSync('/usr/lib/grub/i386-pc/boot.img')) return null;
  mkdirSync(BOOT_IMAGE_DIR, { recursive: true });
  const k = kernel(BOOT_IMAGE_DIR);
  const dir = mkdtempSync(join(BOOT_IMAGE_DIR, 'grub-build-'));
  writeFileSync(join(dir, 'grub-early.cfg'), [
    'serial --unit=0 --speed=115200', 'terminal_input serial console', 'terminal_output serial console',
    'set root=(hd0,msdos1)', 'set prefix=(hd0,msdos1)/boot/grub',
    'echo "GRUB core reached (32-bit protected mode); loading normal"', '',
  ].join('\n'));
  writeFileSync(join(dir, 'grub.cfg'), [
    'set timeout=0', 'menuentry "memtest86+ (linux boot protocol)" {',
    '  echo "grub.cfg: loading memtest86+ia32.bin with linux command"', '  linux /memtest.bin console=ttyS0,115200', '  boot', '}', '',
  ].join('\n'));
  const r = sh(`
    grub-mkimage -O i386-pc -o grub-core.img -c grub-early.cfg -p '(hd0,msdos1)/boot/grub' \\
      biosdisk part_msdos fat normal serial terminal echo halt multiboot linux cpuid
    rm -f tmp-grub.img
    truncate -s 32M tmp-grub.img
    printf 'label: dos\\nunit: sectors\\nstart=2048, type=6, bootable\\n' | sfdisk -q tmp-grub.img
    dd if=/usr/lib/grub/i386-pc/boot.img of=tmp-grub.img bs=440 count=1 conv=notrunc status=none
    dd if=grub-core.img of=tmp-grub.img bs=512 seek=1 conv=notrunc status=none
    mkfs.fat -F 16 -n GRUBTEST --offset 2048 -h 2048 tmp-grub.img 31744 >/dev/null
    mmd -i tmp-grub.img@@1M ::/boot ::/boot/grub
    mcopy -i tmp-grub.img@@1M grub.cfg ::/boot/grub/grub.cfg
    mcopy -i tmp-grub.img@@1M '${k.startsWith('/') ? k : join(process.cwd(), k)}' ::/memtest.bin
    mv tmp-grub.img ../grub-fat16.img`, dir);
  rmSync(dir, { recursive: true, force: true });
  if (!r.ok) throw new Error(`building the GRUB image failed:\n${r.output}`);
  return img;
}

export function readImage(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
