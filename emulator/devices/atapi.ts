// The packet commands of an ATAPI CD-ROM drive: what each of the SCSI/MMC commands a firmware and
// boot loaders send through the IDE PACKET command answers, or the sense it fails with, read-only
// over a CdImage. The IDE channel (ide.ts) carries the 12-byte packets and moves the data in PIO
// phases; this module keeps no state of its own (the channel holds the sense of the last command,
// so snapshots see it). Behaviour follows QEMU 7.2's ide-cd where SeaBIOS or a loader can tell.
// Pure TypeScript: no Node or VS Code imports. SFF-8020i §10 (ATAPI packet commands for CD-ROM);
// SPC-2 §7.3 (INQUIRY), §7.20 (REQUEST SENSE, fixed format 70h), §7.25 (TEST UNIT READY), Annex D
// (sense keys, ASC/ASCQ); SBC §6.1.6 READ CAPACITY, READ(10), READ(12); MMC-2 §5.24 READ TOC/PMA/ATIP
// (formats 0 and 1), §5.5.10 MODE SENSE(10) with the CD capabilities page 2Ah.

import { CD_SECTOR_SIZE, type CdImage } from '../disk/cdrom';

/** Sense keys (SPC-2 Table 107). */
export const SENSE_NONE = 0x0, SENSE_NOT_READY = 0x2, SENSE_ILLEGAL_REQUEST = 0x5, SENSE_UNIT_ATTENTION = 0x6;
/** Additional sense codes (SPC-2 Annex D). */
export const ASC_INVALID_OPCODE = 0x20, ASC_LBA_OUT_OF_RANGE = 0x21, ASC_INVALID_FIELD_IN_CDB = 0x24;
export const ASC_SAVING_PARAMETERS_NOT_SUPPORTED = 0x39, ASC_MEDIUM_NOT_PRESENT = 0x3a;

/** Sense key, additional sense code and its qualifier: what REQUEST SENSE reports. */
export type Sense = [key: number, asc: number, ascq: number];
export const NO_SENSE: Sense = [SENSE_NONE, 0, 0];

/**
 * A command's outcome: data for the host (a reply, or `sectors` 2048-byte sectors of the medium
 * from `lba`), nothing (done), or a CHECK CONDITION with its sense.
 */
export type PacketReply =
  | { kind: 'data'; data: Uint8Array }
  | { kind: 'read'; lba: number; sectors: number }
  | { kind: 'done' }
  | { kind: 'check'; sense: Sense };

const DONE: PacketReply = { kind: 'done' };
const check = (key: number, asc: number): PacketReply => ({ kind: 'check', sense: [key, asc, 0] });
const be16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const be32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
function putBe(b: Uint8Array, at: number, bytes: number, v: number): void {
  for (let i = 0; i < bytes; i++) b[at + i] = Math.floor(v / 2 ** (8 * (bytes - 1 - i))) & 0xff;
}
function ascii(b: Uint8Array, at: number, width: number, s: string): void {
  for (let i = 0; i < width; i++) b[at + i] = i < s.length ? s.charCodeAt(i) : 0x20;
}

/** Answers one packet (`cdb`, 12 bytes) for the drive holding `cd`; `sense` is the last command's. */
export function atapiCommand(cd: CdImage, cdb: Uint8Array, sense: Sense): PacketReply {
  const op = cdb[0];
  switch (op) {
    case 0x00: return DONE; // TEST UNIT READY: the medium is always there and ready
    case 0x03: return reply(requestSense(sense), cdb[4]);
    case 0x12: return reply(inquiry(), cdb[4]);
    case 0x1b: // START STOP UNIT: spinning up or down changes nothing; ejecting is refused
      return (cdb[4] & 0x03) === 0x02 ? check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB) : DONE;
    case 0x1e: return DONE; // PREVENT ALLOW MEDIUM REMOVAL
    case 0x25: { // READ CAPACITY: the last LBA and the block length
      const b = new Uint8Array(8);
      putBe(b, 0, 4, cd.sectorCount - 1);
      putBe(b, 4, 4, CD_SECTOR_SIZE);
      return { kind: 'data', data: b };
    }
    case 0x28: return read(cd, be32(cdb, 2), be16(cdb, 7));
    case 0xa8: return read(cd, be32(cdb, 2), be32(cdb, 6));
    case 0x2b: // SEEK(10)
      return be32(cdb, 2) >= cd.sectorCount ? check(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE) : DONE;
    case 0x43: return readToc(cd, cdb);
    case 0x5a: return modeSense(cdb);
    default: return check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
  }
}

/** Data no longer than the CDB's allocation length. */
function reply(data: Uint8Array, allocation: number): PacketReply {
  return allocation === 0 ? DONE : { kind: 'data', data: data.subarray(0, allocation) };
}

function read(cd: CdImage, lba: number, sectors: number): PacketReply {
  if (lba + sectors > cd.sectorCount) return check(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
  return sectors === 0 ? DONE : { kind: 'read', lba, sectors };
}

/** Fixed-format sense data (response code 70h, current errors), 18 bytes. */
function requestSense([key, asc, ascq]: Sense): Uint8Array {
  const b = new Uint8Array(18);
  b[0] = 0x70; b[2] = key; b[7] = 10; b[12] = asc; b[13] = ascq;
  return b;
}

/** Standard INQUIRY data: a removable CD-ROM (peripheral type 05h), ATAPI transport version 2. */
function inquiry(): Uint8Array {
  const b = new Uint8Array(36);
  b[0] = 0x05; b[1] = 0x80; b[2] = 0x00; b[3] = 0x21; b[4] = 36 - 5;
  ascii(b, 8, 8, 'BOOTSCOP'); ascii(b, 16, 16, 'DVD-ROM'); ascii(b, 32, 4, '1.0');
  return b;
}

/**
 * READ TOC format 0 (the track descriptors: one data track and the lead-out AAh) or 1 (the first
 * session), addresses as LBAs or MSF (MSF bit), as a single-track data CD has them.
 */
function readToc(cd: CdImage, cdb: Uint8Array): PacketReply {
  const msf = (cdb[1] & 0x02) !== 0;
  const format = cdb[9] >> 6 || (cdb[2] & 0x0f);
  const allocation = be16(cdb, 7);
  const address = (b: Uint8Array, at: number, lba: number) => {
    if (!msf) return putBe(b, at, 4, lba);
    const frames = lba + 150; // MSF counts the 2-second pre-gap (MMC-2 §5.24.3)
    b[at] = 0; b[at + 1] = Math.floor(frames / (60 * 75)); b[at + 2] = Math.floor(frames / 75) % 60; b[at + 3] = frames % 75;
  };
  if (format === 0) {
    const start = cdb[6];
    if (start > 1 && start !== 0xaa) return check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    const tracks: [number, number][] = start === 0xaa ? [[0xaa, cd.sectorCount]] : [[1, 0], [0xaa, cd.sectorCount]];
    const b = new Uint8Array(4 + 8 * tracks.length);
    putBe(b, 0, 2, b.length - 2);
    b[2] = 1; b[3] = 1;
    tracks.forEach(([track, lba], i) => {
      const at = 4 + 8 * i;
      b[at + 1] = 0x14; // ADR 1 (current position), control 4 (a data track)
      b[at + 2] = track;
      address(b, at + 4, lba);
    });
    return reply(b, allocation);
  }
  if (format === 1) {
    const b = new Uint8Array(12);
    putBe(b, 0, 2, 10);
    b[2] = 1; b[3] = 1; b[5] = 0x14; b[6] = 1;
    address(b, 8, 0);
    return reply(b, allocation);
  }
  return check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
}

/**
 * MODE SENSE(10): the read error recovery page (01h), the CD capabilities and mechanical status
 * page (2Ah) or both (3Fh), current values only; saved values are not kept.
 */
function modeSense(cdb: Uint8Array): PacketReply {
  const control = cdb[2] >> 6, page = cdb[2] & 0x3f;
  if (control === 3) return check(SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMETERS_NOT_SUPPORTED);
  const recovery = new Uint8Array(8);
  recovery[0] = 0x01; recovery[1] = 6; recovery[3] = 5; // 5 read retries
  const caps = new Uint8Array(20);
  caps[0] = 0x2a; caps[1] = caps.length - 2;
  caps[2] = 0x3b; // reads CD-R, CD-RW, method 2, DVD-ROM, DVD-R, DVD-RAM media
  caps[4] = 0x71; // audio play, mode 2 form 1 and 2, multi-session
  caps[6] = 0x29; // lock supported, tray loading mechanism, eject supported
  putBe(caps, 8, 2, 706); // maximum read speed in kB/s (4x)
  putBe(caps, 10, 2, 2); // volume levels
  putBe(caps, 12, 2, 512); // buffer size in KiB
  putBe(caps, 14, 2, 706); // current read speed
  const pages = page === 0x01 ? [recovery] : page === 0x2a ? [caps] : page === 0x3f ? [recovery, caps] : null;
  if (!pages) return check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
  const length = 8 + pages.reduce((n, p) => n + p.length, 0);
  const b = new Uint8Array(length);
  putBe(b, 0, 2, length - 2);
  b[2] = 0x70; // medium type: door closed, no disc type reported
  let at = 8;
  for (const p of pages) {
    b.set(p, at);
    at += p.length;
  }
  return reply(b, be16(cdb, 7));
}
