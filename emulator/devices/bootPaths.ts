// The device path of a drive as QEMU 7.2 writes it into fw_cfg's `bootorder` for a device given a
// bootindex and SeaBIOS matches it (src/boot.c build_ata_path, bootprio_find_fdc_device): Open
// Firmware style, from the PCI host's configuration ports (i0cf8) through the PCI function
// (device@slot,function: i440fx.ts's PIIX3 functions) to the drive on its controller.
// Seen in SeaBIOS's log under QEMU: /pci@i0cf8/ide@1,1/drive@0/disk@1 (primary slave),
// /pci@i0cf8/ide@1,1/drive@1/disk@0 (the CD), /pci@i0cf8/isa@1/fdc@03f0/floppy@1 (drive B).
// Pure TypeScript: no Node or VS Code imports.
import type { BootDrive } from '../../protocol/bootOrder';
import { FDC_BASE } from './fdc';
import { DEVFN_IDE, DEVFN_ISA } from './i440fx';
import { idePlace } from './pcDevices';

/** `name@slot` with `,function` when not 0, as Open Firmware names a PCI function. */
function pciNode(name: string, devfn: number): string {
  return `/${name}@${(devfn >> 3).toString(16)}${devfn & 7 ? `,${(devfn & 7).toString(16)}` : ''}`;
}

/** The path of drive `d` on a machine with a CD (`cdrom`) or without. */
export function bootDevicePath(d: BootDrive, cdrom: boolean): string {
  if (d.kind === 'fd') return `/pci@i0cf8${pciNode('isa', DEVFN_ISA)}/fdc@${FDC_BASE.toString(16).padStart(4, '0')}/floppy@${d.index}`;
  const place = idePlace(d, cdrom);
  return `/pci@i0cf8${pciNode('ide', DEVFN_IDE)}/drive@${place >> 1}/disk@${place & 1}`;
}
