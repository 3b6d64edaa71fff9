// Firmware mode (`bootscope run --bios FILE`, launch `bios`): no built-in BIOS; the image is mapped
// as ROM at the top of the first MiB (its last 128 KiB, as the PC's isa-bios window) and just below
// 4 GiB (all of it), and the CPU starts from its reset state, CS=F000 with base FFFF0000 and
// IP=FFF0, so the first far jump reloads CS as on hardware. The chipset's shadow RAM (PAM) is
// decoded, so the firmware can copy itself to RAM below 1 MiB as SeaBIOS does; the hard disks are
// ATA drives on the IDE channels and a CD the ATAPI master of the secondary, as QEMU's -hda, -hdb,
// -cdrom and -hdd place them (ide.ts), the floppies drives A and B on the floppy controller (fdc.ts, DMA through dma8237.ts); QEMU's fw_cfg tells the
// firmware what the machine has (fwCfg.ts). Keys typed from the start wait until the firmware has set
// the keyboard up (kbc.ts holdKeysUntilEnabled). Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 3 §9.1.4 (first instruction executed).
import type { Machine } from './machine';
import { bootDevicePath } from './devices/bootPaths';
import type { SmbiosQuirks } from './bios/smbios';
import { cpuidLeaf1 } from './cpu/exec/system';

const LOW_WINDOW = 128 * 1024;

/**
 * Maps `image` (and the VGA's expansion ROM `vgaRom`) and resets the CPU, fw_cfg's SMBIOS tables with
 * `smbiosQuirks` (a lock-step with QEMU); returns a sentence saying why the image cannot be used, or null.
 */
export function loadFirmware(m: Machine, image: Uint8Array, vgaRom: Uint8Array | null = null, smbiosQuirks?: SmbiosQuirks): string | null {
  if (image.length === 0) return 'the firmware image is empty';
  if (image.length % 4096 !== 0) return `${image.length} bytes is not a multiple of 4 KiB (firmware images are 64 KiB, 128 KiB, 256 KiB, ...)`;
  if (image.length > 16 * 1024 * 1024) return `${image.length} bytes is larger than the 16 MiB flash window below 4 GiB`;
  const low = image.subarray(Math.max(0, image.length - LOW_WINDOW));
  m.mem.mapRom(0x100000 - low.length, low);
  m.mem.mapRom(0x1_0000_0000 - image.length, image);
  m.devices.shadow.enable();
  m.devices.attachIde(m.io, m.hardDisks, m.cdrom);
  m.devices.attachFloppy(m.io, m.floppies);
  m.devices.attachFwCfg(m.io, { ramBytes: m.mem.ramSize, cpu: m.model, cpuHz: m.devices.clock.instructionsPerSecond, processorId: cpuidLeaf1(m.cpu), quirks: smbiosQuirks },
    m.bootOrder.listed.map((d) => bootDevicePath(d, m.cdrom !== null)));
  if (vgaRom) m.devices.attachVgaRom(vgaRom);
  m.devices.kbc.powerOn();
  m.devices.kbc.holdKeysUntilEnabled();
  m.cpu.powerOn();
  m.cpu.icount = 0;
  return null;
}
