// INT 13h disk services for the floppy (DL=00h) and hard disks (DL=80h+): reset (00h), status
// (01h), CHS read/write/verify (02h/03h/04h), parameters (08h), type (15h), change line (16h), and
// the EDD extensions check/read/write/verify/parameters (41h/42h/43h/44h/48h). A CD booted without
// emulation (DL=E0h) has the EDD functions on 2048-byte sectors and the El Torito status/terminate
// (4B00h/4B01h), which a floppy or hard-disk emulation CD's drive (00h/80h) answers too. Status codes come from the disk layer (emulator/disk) and are kept in the BDA for
// AH=01h. No DMA boundary limits. Pure TypeScript: no Node or VS Code imports. IBM PC/AT BIOS;
// Phoenix EDD 3.0; El Torito 1.0 §5; Ralf Brown's list.

import { DS, ES } from '../cpu/regs';
import { DISK_BAD_COMMAND, DISK_WRITE_PROTECTED, type DiskImage, type DiskTransfer } from '../disk/diskImage';
import { CD_DRIVE, CD_SECTOR_SIZE, type BootEntry, type CdImage } from '../disk/cdrom';
import { type Bios, DONE } from './bios';
import * as L from './layout';
import { hexDigits } from '../../protocol/format';

const SECTOR = 512;

function driveOf(b: Bios, dl: number): DiskImage | null {
  if (dl < 0x80) return b.m.floppies[dl] ?? null;
  return b.m.hardDisks[dl - 0x80] ?? null;
}

function statusAddr(dl: number): number {
  return dl < 0x80 ? L.BDA_FLOPPY_STATUS : L.BDA_HD_STATUS;
}

/** Ends a call with status `st`: AH and the BDA's last-status byte, CF = (st != 0). */
export function finish(b: Bios, dl: number, st: number): number {
  b.ah = st;
  b.wr8(statusAddr(dl), st);
  b.setCF(st !== 0);
  return DONE;
}

/** Copies `count` sectors between the disk and linear memory at `addr` (guest-visible writes). */
function transfer(b: Bios, disk: DiskImage, lba: number, count: number, addr: number, write: boolean): DiskTransfer {
  const cpu = b.cpu;
  const buf = new Uint8Array(count * SECTOR);
  if (write) {
    for (let i = 0; i < buf.length; i++) buf[i] = cpu.readLin8((addr + i) >>> 0);
    return disk.write(lba, count, buf);
  }
  const r = disk.read(lba, count, buf);
  const n = r.sectors * SECTOR;
  for (let i = 0; i < n; i++) cpu.writeLin8((addr + i) >>> 0, buf[i]);
  return r;
}

export function int13(b: Bios): number {
  const dl = b.dl;
  const fn = b.ah;
  const cd = b.m.cdrom;
  if (cd && dl === CD_DRIVE) return int13Cdrom(b, cd);
  const disk = driveOf(b, dl);
  if (!disk) {
    // No such drive: "invalid function" as SeaBIOS answers; AH=15h reports "no drive" instead.
    if (fn === 0x15) { b.ah = 0; b.setCF(false); return DONE; }
    b.logEntry(0x13, `INT 13h AH=${hexDigits(fn, 2)}h DL=${hexDigits(dl, 2)}h: no such drive`);
    return finish(b, dl, DISK_BAD_COMMAND);
  }
  switch (fn) {
    case 0x00: case 0x0d: case 0x10: case 0x11: case 0x14: case 0x0c:
      // Reset, alternate reset, test ready, recalibrate, diagnostics, seek: nothing mechanical here.
      return finish(b, dl, 0);
    case 0x01: {
      const st = b.rd8(statusAddr(dl));
      b.ah = st;
      b.setCF(st !== 0);
      return DONE;
    }
    case 0x02: case 0x03: case 0x04: {
      const count = b.al;
      const cyl = b.ch | ((b.cl & 0xc0) << 2);
      const sector = b.cl & 0x3f;
      const head = b.dh;
      if (count === 0 || count > 128) {
        b.al = 0;
        return finish(b, dl, DISK_BAD_COMMAND);
      }
      let r: DiskTransfer;
      const lba = disk.chsToLba(cyl, head, sector);
      if (lba < 0) r = { status: 0x04, sectors: 0 };
      else if (fn === 0x04) r = disk.verify(lba, count);
      else r = transfer(b, disk, lba, count, b.lin(ES, b.bx), fn === 0x03);
      b.al = r.sectors;
      if (r.status !== 0) b.logEntry(0x13, `INT 13h AH=${hexDigits(fn, 2)}h DL=${hexDigits(dl, 2)}h C/H/S ${cyl}/${head}/${sector} count ${count}: status ${hexDigits(r.status, 2)}h`);
      return finish(b, dl, r.status);
    }
    case 0x08: {
      const p = disk.int13Parameters();
      b.ax = 0;
      b.cx = p.cx;
      b.dh = p.dh;
      if (dl < 0x80) {
        b.bl = p.driveType;
        b.dl = b.m.floppies.length;
        // ES:DI → the diskette parameter table.
        b.cpu.setCache(ES, L.BIOS_SEGMENT, L.BIOS_SEGMENT << 4, b.cpu.limit[ES], b.cpu.ar[ES]);
        b.di = L.DISKETTE_PARAMS;
      } else {
        b.dl = b.m.hardDisks.length;
      }
      b.wr8(statusAddr(dl), 0);
      b.setCF(false);
      return DONE;
    }
    case 0x15:
      if (dl < 0x80) {
        b.ah = 0x02; // diskette drive with change-line support
      } else {
        b.ah = 0x03; // fixed disk: CX:DX = sectors
        b.cx = disk.sectorCount >>> 16;
        b.dx = disk.sectorCount & 0xffff;
      }
      b.setCF(false);
      return DONE;
    case 0x16:
      if (dl < 0x80) return finish(b, dl, 0); // the disk has not been changed
      break;
    case 0x41:
      if (b.bx !== 0x55aa) break;
      return eddInstalled(b);
    case 0x42: case 0x43: case 0x44: return extendedTransfer(b, disk, dl, fn);
    case 0x4b:
      // El Torito "terminate emulation / get status": the emulated drive reports its packet (and
      // stays: terminating is not done); other disks are not emulated. Loaders (GRUB) ask this of
      // every boot disk, so it is an answer, not an unsupported call.
      if (b.al > 1) break;
      if (b.cdromBoot && disk === b.m.cdromEmulated) return specificationPacket(b, b.cdromBoot, dl, disk);
      return finish(b, dl, DISK_BAD_COMMAND);
    case 0x48: return eddParameters(b, disk, dl);
  }
  b.logEntry(0x13, `INT 13h AX=${hexDigits(b.ax, 4)}h DL=${hexDigits(dl, 2)}h: function not supported`);
  return finish(b, dl, DISK_BAD_COMMAND);
}

/**
 * The disk address packet at DS:SI (size, count, buffer seg:off or flat 64-bit, LBA), or null when
 * it is malformed (too short, a flat address above 4 GiB).
 */
/** AH=41h with BX=55AAh: EDD 3.0 with extended access, removable-drive functions and EDD. */
function eddInstalled(b: Bios): number {
  b.bx = 0xaa55;
  b.ah = 0x30;
  b.cx = 0x0007;
  b.setCF(false);
  return DONE;
}

function addressPacket(b: Bios): { dap: number; count: number; addr: number; lba: number; lbaHi: number } | null {
  const cpu = b.cpu;
  const dap = b.lin(DS, b.si);
  const size = cpu.readLin8(dap);
  const count = cpu.readLin16(dap + 2);
  const off = cpu.readLin16(dap + 4), seg = cpu.readLin16(dap + 6);
  const lbaLo = cpu.readLin32(dap + 8), lbaHi = cpu.readLin32(dap + 12);
  if (size < 0x10) return null;
  let addr = ((seg << 4) + off) >>> 0;
  if (off === 0xffff && seg === 0xffff && size >= 0x18) {
    // EDD 3.0: a 64-bit flat buffer address follows the packet.
    if (cpu.readLin32(dap + 0x14) !== 0) return null;
    addr = cpu.readLin32(dap + 0x10);
  }
  return { dap, count, addr, lba: lbaHi * 0x1_0000_0000 + lbaLo, lbaHi };
}

/** AH=42h/43h/44h on a floppy or hard disk. */
function extendedTransfer(b: Bios, disk: DiskImage, dl: number, fn: number): number {
  const p = addressPacket(b);
  if (!p) return finish(b, dl, DISK_BAD_COMMAND);
  const { dap, count, addr, lba, lbaHi } = p;
  if (count === 0) return finish(b, dl, 0);
  let r: DiskTransfer;
  if (lbaHi !== 0 && lba >= disk.sectorCount) r = { status: 0x04, sectors: 0 };
  else if (fn === 0x44) r = disk.verify(lba, count);
  else r = transfer(b, disk, lba, count, addr, fn === 0x43);
  // The packet's count field reports the sectors actually transferred.
  b.cpu.writeLin16(dap + 2, r.sectors);
  if (r.status !== 0) b.logEntry(0x13, `INT 13h AH=${hexDigits(fn, 2)}h DL=${hexDigits(dl, 2)}h LBA ${lba} count ${count}: status ${hexDigits(r.status, 2)}h`);
  return finish(b, dl, r.status);
}

/** AH=48h: fills the result buffer at DS:SI (26 bytes, or 30 with the DPTE pointer, which we do not have). */
function eddParameters(b: Bios, disk: DiskImage, dl: number): number {
  const cpu = b.cpu;
  const buf = b.lin(DS, b.si);
  const size = cpu.readLin16(buf);
  if (size < 0x1a) return finish(b, dl, DISK_BAD_COMMAND);
  const p = disk.eddParameters();
  const total = p.totalSectors;
  cpu.writeLin16(buf, size >= 0x1e ? 0x1e : 0x1a);
  cpu.writeLin16(buf + 2, p.info | (dl < 0x80 ? 0x04 : 0)); // bit 2: removable
  cpu.writeLin32(buf + 4, p.cylinders);
  cpu.writeLin32(buf + 8, p.heads);
  cpu.writeLin32(buf + 12, p.sectors);
  cpu.writeLin32(buf + 16, total >>> 0);
  cpu.writeLin32(buf + 20, Math.floor(total / 0x1_0000_0000));
  cpu.writeLin16(buf + 24, p.bytesPerSector);
  if (size >= 0x1e) cpu.writeLin32(buf + 26, 0xffffffff); // no device parameter table extension
  return finish(b, dl, 0);
}

/**
 * INT 13h for the CD booted without emulation (DL=E0h): reset, status, seek and the EDD calls
 * on 2048-byte sectors; writes answer "write protected"; 4B00h/4B01h fill the specification packet
 * (nothing is emulated, so terminating changes nothing); 15h reports a removable drive with change
 * line. CHS calls and the rest fail with CF=1, AH=01h, as a CD has no CHS geometry.
 */
function int13Cdrom(b: Bios, cd: CdImage): number {
  const dl = CD_DRIVE;
  switch (b.ah) {
    case 0x00: case 0x0d: case 0x10: case 0x11: case 0x47: return finish(b, dl, 0);
    case 0x01: {
      const st = b.rd8(statusAddr(dl));
      b.ah = st;
      b.setCF(st !== 0);
      return DONE;
    }
    case 0x03: case 0x43: return finish(b, dl, DISK_WRITE_PROTECTED);
    case 0x15:
      b.ah = 0x02; // removable drive with change-line support
      b.setCF(false);
      return DONE;
    case 0x41:
      if (b.bx !== 0x55aa) break;
      return eddInstalled(b);
    case 0x42: case 0x44: {
      const p = addressPacket(b);
      if (!p) return finish(b, dl, DISK_BAD_COMMAND);
      let r: DiskTransfer;
      if (p.lba >= cd.sectorCount) r = { status: 0x04, sectors: 0 };
      else if (b.ah === 0x44) r = { status: p.lba + p.count <= cd.sectorCount ? 0 : 0x04, sectors: Math.min(p.count, cd.sectorCount - p.lba) };
      else {
        const buf = new Uint8Array(p.count * CD_SECTOR_SIZE);
        r = cd.read(p.lba, p.count, buf);
        const n = r.sectors * CD_SECTOR_SIZE;
        for (let i = 0; i < n; i++) b.cpu.writeLin8((p.addr + i) >>> 0, buf[i]);
      }
      b.cpu.writeLin16(p.dap + 2, r.sectors);
      if (r.status !== 0) b.logEntry(0x13, `INT 13h AH=${hexDigits(b.ah, 2)}h DL=E0h LBA ${p.lba} count ${p.count}: status ${hexDigits(r.status, 2)}h`);
      return finish(b, dl, r.status);
    }
    case 0x48: {
      const cpu = b.cpu;
      const buf = b.lin(DS, b.si);
      const size = cpu.readLin16(buf);
      if (size < 0x1a) return finish(b, dl, DISK_BAD_COMMAND);
      cpu.writeLin16(buf, size >= 0x1e ? 0x1e : 0x1a);
      // Removable, change line, lockable, CHS fields hold their maximum (a CD has no geometry).
      cpu.writeLin16(buf + 2, 0x0074);
      cpu.writeLin32(buf + 4, 0xffffffff);
      cpu.writeLin32(buf + 8, 0xffffffff);
      cpu.writeLin32(buf + 12, 0xffffffff);
      cpu.writeLin32(buf + 16, cd.sectorCount);
      cpu.writeLin32(buf + 20, 0);
      cpu.writeLin16(buf + 24, CD_SECTOR_SIZE);
      if (size >= 0x1e) cpu.writeLin32(buf + 26, 0xffffffff);
      return finish(b, dl, 0);
    }
    case 0x4b:
      if (b.al > 1 || !b.cdromBoot || b.cdromBoot.media !== 0) break;
      return specificationPacket(b, b.cdromBoot, dl, null);
  }
  b.logEntry(0x13, `INT 13h AX=${hexDigits(b.ax, 4)}h DL=E0h (CD): function not supported`);
  return finish(b, dl, DISK_BAD_COMMAND);
}

/**
 * AX=4B00h/4B01h: the 13h-byte specification packet at DS:SI (El Torito 1.0 §5.2 table 13): media
 * type, drive, controller, image RBA, device specification, cache buffer, load segment, sector
 * count, and the emulated drive's CHS limits as AH=08h gives them in CH, CL and DH.
 */
function specificationPacket(b: Bios, boot: BootEntry, dl: number, emulated: DiskImage | null): number {
  const cpu = b.cpu;
  const p = b.lin(DS, b.si);
  const chs = emulated ? emulated.int13Parameters() : null;
  const bytes = [0x13, boot.media, dl, 0];
  for (let i = 0; i < bytes.length; i++) cpu.writeLin8(p + i, bytes[i]);
  cpu.writeLin32(p + 4, boot.loadRba);
  cpu.writeLin16(p + 8, 0); // device specification: the first ATAPI master
  cpu.writeLin16(p + 10, 0); // no 3K read cache buffer
  cpu.writeLin16(p + 12, boot.loadSegment);
  cpu.writeLin16(p + 14, boot.sectorCount);
  cpu.writeLin8(p + 16, chs ? chs.cx >> 8 : 0);
  cpu.writeLin8(p + 17, chs ? chs.cx & 0xff : 0);
  cpu.writeLin8(p + 18, chs ? chs.dh : 0);
  return finish(b, dl, 0);
}
