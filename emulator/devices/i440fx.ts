// The PCI functions of QEMU's `pc` machine (i440FX + PIIX3, `-vga std`), with the IDs, classes,
// subsystem IDs and reset values QEMU 7.2 gives them, so a bus scan finds what it finds under QEMU:
// 00:00.0 i440FX host bridge, 00:01.0 PIIX3 ISA bridge, 00:01.1 PIIX3 IDE, 00:01.3 PIIX4 ACPI
// (power management), 00:02.0 the Bochs/QEMU standard VGA. Only their configuration space is
// modelled: the IDE and ACPI functions' registers are not decoded, the VGA's BARs are where the
// VBE framebuffer lives (vbe.ts). Pure TypeScript: no Node or VS Code imports.
// Intel 82441FX PMC datasheet §3.2 (PAM, SMRAM); 82371SB PIIX3 datasheet §2.2 (PIRQ routing,
// IDE timing, BMIBA); 82371AB PIIX4 datasheet §3.4 (PMBA, SMBBA).

import { PciBus, PciFunction, CMD_IO, CMD_MEMORY, CMD_SERR, PCI_COMMAND, PCI_INTERRUPT_LINE, PCI_BAR0, PCI_STATUS } from './pci';
import type { IoBus } from './ioBus';

/** QEMU's subsystem IDs on every function (Red Hat, QEMU). */
const SUBSYSTEM_VENDOR = 0x1af4, SUBSYSTEM = 0x1100;
const ids = { subsystemVendor: SUBSYSTEM_VENDOR, subsystem: SUBSYSTEM };

/** devfn = device << 3 | function. */
export const DEVFN_HOST = 0x00, DEVFN_ISA = 0x08, DEVFN_IDE = 0x09, DEVFN_ACPI = 0x0b, DEVFN_VGA = 0x10;

/** Where the BIOS puts the VGA's linear framebuffer (BAR0, 16 MiB prefetchable) and MMIO (BAR2), as SeaBIOS does. */
export const VGA_LFB = 0xfd000000, VGA_LFB_SIZE = 0x1000000;
export const VGA_MMIO = 0xfebf0000, VGA_MMIO_SIZE = 0x1000;
/** PIIX3 IDE bus-master registers (BAR4), the PIIX4 power-management and SMBus I/O bases. */
export const IDE_BMIBA = 0xc000, ACPI_PMBA = 0x600, ACPI_SMBBA = 0x700;

export function i440fxFunctions(): PciFunction[] {
  const host = new PciFunction('i440FX host bridge', DEVFN_HOST, { vendor: 0x8086, device: 0x1237, revision: 0x02, classCode: 0x060000, ...ids });
  host.allow(0x50, 0xffffffff, 0x30); // PMCCFG, DRAM control, PAM0–6, DRB, SMRAM (0x50–0x7F)
  host.config[0x72] = 0x02; // SMRAM: C_BASE_SEG = A0000h

  const isa = new PciFunction('PIIX3 ISA bridge', DEVFN_ISA, {
    vendor: 0x8086, device: 0x7000, revision: 0x00, classCode: 0x060100, headerType: 0x80, ...ids,
  });
  isa.set16(PCI_STATUS, 0x0200); // status: medium DEVSEL timing
  isa.allow(0x4c, 0xffffffff, 0x5c);
  // Reset values (PIIX3 §2.2): ISA I/O recovery, X-bus chip select, PIRQA–D routing disabled,
  // top of memory, motherboard IRQ/DMA disabled, APIC base, SMI control.
  isa.config[0x4c] = 0x4d; isa.config[0x4e] = 0x03;
  isa.config.fill(0x80, 0x60, 0x64);
  isa.config[0x69] = 0x02; isa.config[0x70] = 0x80; isa.config[0x76] = 0x0c; isa.config[0x77] = 0x0c;
  isa.config[0x78] = 0x02; isa.config[0xa0] = 0x08; isa.config[0xa8] = 0x0f;

  const ide = new PciFunction('PIIX3 IDE', DEVFN_IDE, { vendor: 0x8086, device: 0x7010, revision: 0x00, classCode: 0x010180, ...ids });
  ide.set16(PCI_STATUS, 0x0280); // status: medium DEVSEL timing, fast back-to-back capable
  ide.bar(4, 'io', 16);
  ide.allow(0x40, 0xffffffff, 4); // primary and secondary IDE timing

  const acpi = new PciFunction('PIIX4 ACPI', DEVFN_ACPI, {
    vendor: 0x8086, device: 0x7113, revision: 0x03, classCode: 0x068000, interruptPin: 1, ...ids,
  });
  acpi.set16(PCI_STATUS, 0x0280);
  acpi.allow(0x40, 0xffc0, 4); // PMBA: 64 bytes of I/O
  acpi.config[0x40] = 0x01;
  acpi.allow(0x80, 0x01, 1); // PMREGMISC: PMIOSE
  acpi.allow(0x90, 0xfff0, 4); // SMBBA: 16 bytes of I/O
  acpi.config[0x90] = 0x01;
  acpi.allow(0xd2, 0x0f, 1); // SMBus host configuration
  // Reset values QEMU gives (PIIX4 §3.4): device resource B, power management bits, SMBus.
  acpi.config[0x5b] = 0x02; acpi.config[0x5f] = 0x10; acpi.config[0x63] = 0x60; acpi.config[0x67] = 0x08;

  const vga = new PciFunction('standard VGA', DEVFN_VGA, { vendor: 0x1234, device: 0x1111, revision: 0x02, classCode: 0x030000, ...ids });
  vga.bar(0, 'prefetchable', VGA_LFB_SIZE);
  vga.bar(2, 'memory', VGA_MMIO_SIZE);
  return [host, isa, ide, acpi, vga];
}

/** The bus; without `acpi` the ACPI function (00:01.3) is left off, as QEMU's `-machine acpi=off` leaves it. */
export function i440fxBus(acpi = true): PciBus {
  const bus = new PciBus();
  for (const f of i440fxFunctions()) if (acpi || f.devfn !== DEVFN_ACPI) bus.add(f);
  return bus;
}

/**
 * What SeaBIOS 1.16 programs during POST under QEMU 7.2, as configuration writes through CF8h/CFCh
 * (measured with a probe boot sector that dumps every function): PCI IRQ routing PIRQA/B → IRQ 10,
 * PIRQC/D → IRQ 11, the BARs at SeaBIOS's addresses, I/O and memory decoding on, IDE decode on both
 * channels, the shadow RAM F0000–FFFFF read-only (PAM0) and C0000–EFFFF read/write-able as
 * SeaBIOS leaves it, SMRAM closed, the ACPI function's PM and SMBus I/O enabled, its SCI on IRQ 9.
 */
export function programPciAsBios(io: IoBus): void {
  const w8 = (devfn: number, off: number, v: number) => { io.out32(0xcf8, 0x80000000 | (devfn << 8) | (off & 0xfc)); io.out8(0xcfc + (off & 3), v); };
  const w16 = (devfn: number, off: number, v: number) => { w8(devfn, off, v & 0xff); w8(devfn, off + 1, v >>> 8); };
  const w32 = (devfn: number, off: number, v: number) => { io.out32(0xcf8, 0x80000000 | (devfn << 8) | off); io.out32(0xcfc, v); };
  const cmd = CMD_IO | CMD_MEMORY | CMD_SERR;
  w16(DEVFN_HOST, PCI_COMMAND, cmd);
  w8(DEVFN_HOST, 0x57, 0x08); // DRAMC
  w8(DEVFN_HOST, 0x59, 0x10);
  for (let r = 0x5a; r <= 0x5e; r++) w8(DEVFN_HOST, r, 0x11);
  w8(DEVFN_HOST, 0x5f, 0x33);
  w8(DEVFN_HOST, 0x72, 0x0a);
  w16(DEVFN_ISA, PCI_COMMAND, cmd);
  w32(DEVFN_ISA, 0x60, 0x0b0b0a0a);
  w16(DEVFN_IDE, PCI_COMMAND, cmd);
  w32(DEVFN_IDE, PCI_BAR0 + 16, IDE_BMIBA);
  w32(DEVFN_IDE, 0x40, 0x80008000);
  w16(DEVFN_ACPI, PCI_COMMAND, cmd);
  w32(DEVFN_ACPI, 0x40, ACPI_PMBA);
  w8(DEVFN_ACPI, 0x80, 0x01);
  w32(DEVFN_ACPI, 0x90, ACPI_SMBBA);
  w8(DEVFN_ACPI, 0xd2, 0x09);
  w8(DEVFN_ACPI, PCI_INTERRUPT_LINE, 9);
  w16(DEVFN_VGA, PCI_COMMAND, cmd);
  w32(DEVFN_VGA, PCI_BAR0, VGA_LFB);
  w32(DEVFN_VGA, PCI_BAR0 + 8, VGA_MMIO);
}
