// The boot order (`bootscope run --boot`, launch `boot`, compare): the one definition the CLI, the
// launch validation, the built-in BIOS, the CMOS, fw_cfg's `bootorder` and QEMU's command line
// derive from. Names are device kinds (`fd`, `hd`, `cdrom`, as QEMU's `-boot order=` letters a, c,
// d) or single drives (`hd2`: the second hard disk given, as QEMU's `bootindex` on one device).
// Resolved over the machine's drives it is SeaBIOS's boot list (src/boot.c): a drive named alone
// gets the priority of its place in the `bootorder` file (1, 2, ...), every other drive its kind's
// place in the CMOS order (101, 102, 103); drives sort by priority, then floppy before hard disk
// before CD, then in their own order. Floppies and hard disks take their BIOS numbers (00h, 80h,
// ...) in that order, and a kind is tried where its first drive stands.
// No runtime dependencies: types, constants and pure functions.

/** Kinds of boot device: the floppies, the hard disks, the CD. */
export const BOOT_DEVICE_NAMES = ['fd', 'hd', 'cdrom'] as const;
export type BootDeviceName = (typeof BOOT_DEVICE_NAMES)[number];
/** What a boot order may name: a kind, or one floppy (A, B) or hard disk (in the order given) by number. */
export const BOOT_NAMES = [...BOOT_DEVICE_NAMES, 'fd1', 'fd2', 'hd1', 'hd2', 'hd3', 'hd4'] as const;
export type BootName = (typeof BOOT_NAMES)[number];
/** QEMU's `-boot order=` letter of each kind. */
export const QEMU_BOOT_LETTERS: Readonly<Record<BootDeviceName, string>> = { fd: 'a', hd: 'c', cdrom: 'd' };
/** The drives a machine takes, as QEMU's `pc` machine: floppies A and B, and four IDE places (a CD takes one). */
export const MAX_FLOPPIES = 2, MAX_IDE_DRIVES = 4;

/** One drive: its kind and its place among the drives of that kind (floppy A is 0; hard disks in the order given). */
export interface BootDrive {
  kind: BootDeviceName;
  index: number;
}

/** The drives of a machine, by kind. */
export interface DriveCounts {
  floppies: number;
  hardDisks: number;
  cdrom: boolean;
}

/** A boot order resolved over the machine's drives. */
export interface BootOrder {
  /** Every kind in the order tried where no drive is named alone: CMOS 3Dh/38h, QEMU's `-boot order=`. */
  kinds: BootDeviceName[];
  /**
   * The drives the order lists one by one when it names a single drive (fw_cfg's `bootorder`, QEMU's
   * `bootindex`), a kind standing for its drives not named alone; empty when it names kinds only.
   */
  listed: BootDrive[];
  /** Every drive by boot priority: floppies and hard disks are numbered 00h and 80h on in this order. */
  drives: BootDrive[];
}

/** Why drives this many do not fit the machine, or null: one CD drive, floppies A and B, four IDE places. */
export function driveCountProblem(floppies: number, hardDisks: number, cdroms: number): string | null {
  if (cdroms > 1) return `${cdroms} CDs: the machine has one CD drive (as QEMU's -cdrom)`;
  if (floppies > MAX_FLOPPIES) return `${floppies} floppies: the floppy controller has drives A and B`;
  if (hardDisks + cdroms > MAX_IDE_DRIVES) return `${hardDisks} hard disks${cdroms ? ' and a CD' : ''}: the two IDE channels hold ${MAX_IDE_DRIVES} drives`;
  return null;
}

const NAMES_HELP = 'use fd, hd, cdrom, or one drive: fd1, fd2, hd1 ... hd4 (or QEMU\'s letters a, c, d)';

/**
 * A boot order from its names (`hd2,cdrom,fd`) or QEMU's letters (`dca`), or a sentence saying what
 * is wrong. Devices left out are tried after the named ones (completeBootOrder).
 */
export function parseBootOrder(text: string): BootName[] | string {
  const letters = Object.entries(QEMU_BOOT_LETTERS);
  const names = /^[acd]+$/.test(text)
    ? [...text].map((l) => letters.find(([, v]) => v === l)![0])
    : text.split(',').map((n) => n.trim());
  return bootOrderOf(names);
}

/** The boot order a list of names gives, or a sentence saying what is wrong with it (unknown or repeated names). */
export function bootOrderOf(names: readonly unknown[]): BootName[] | string {
  const out: BootName[] = [];
  for (const n of names) {
    if (!(BOOT_NAMES as readonly unknown[]).includes(n)) return `${JSON.stringify(n)} is not a boot device: ${NAMES_HELP}`;
    if (out.includes(n as BootName)) return `${n} is named twice`;
    out.push(n as BootName);
  }
  if (out.length === 0) return `no boot device named: ${NAMES_HELP}`;
  return out;
}

/** The drive a name gives alone (`hd2`: hard disk index 1), or null for a kind. */
function singleDrive(name: BootName): BootDrive | null {
  const m = /^(fd|hd)(\d)$/.exec(name);
  return m ? { kind: m[1] as BootDeviceName, index: Number(m[2]) - 1 } : null;
}

const kindOf = (name: BootName): BootDeviceName => singleDrive(name)?.kind ?? (name as BootDeviceName);

/**
 * Every kind in the order tried: `order`'s kinds, then the rest (floppy, hard disk, CD, as SeaBIOS
 * orders devices of equal priority). Without `order`: the CD first when there is one (`cdrom`; El
 * Torito boot, as before boot orders), then the kind of drive IMAGE is (`image`), then hard disk
 * before floppy, and an absent CD last: a hard disk's order is then QEMU's default, `-boot cad`,
 * which a firmware reads from the CMOS.
 */
export function completeBootOrder(order: readonly BootName[] | null, image: BootDeviceName | null, cdrom: boolean): BootDeviceName[] {
  const wanted: BootDeviceName[] = order ? [...order.map(kindOf), 'fd', 'hd', 'cdrom']
    : [...(cdrom ? ['cdrom' as const] : []), ...(image ? [image] : []), 'hd', 'fd', 'cdrom'];
  return wanted.filter((d, i) => wanted.indexOf(d) === i);
}

const KIND_RANK: Readonly<Record<BootDeviceName, number>> = { fd: 0, hd: 1, cdrom: 2 };
const COUNT_WORDS: Readonly<Record<'fd' | 'hd', readonly [string, string]>> = { fd: ['floppy', 'floppies'], hd: ['hard disk', 'hard disks'] };

/**
 * `order` (null: the default, see completeBootOrder) over drives `counts`, or a sentence saying
 * which name stands for no drive (`hd3` with two hard disks).
 */
export function resolveBootOrder(order: readonly BootName[] | null, image: BootDeviceName | null, counts: DriveCounts): BootOrder | string {
  const count = (kind: BootDeviceName) => (kind === 'fd' ? counts.floppies : kind === 'hd' ? counts.hardDisks : counts.cdrom ? 1 : 0);
  const singles = (order ?? []).map(singleDrive).filter((d): d is BootDrive => d !== null);
  for (const d of singles) {
    const n = count(d.kind);
    if (d.index >= n) return `${d.kind}${d.index + 1} names no drive: the machine has ${n === 0 ? 'no' : n} ${COUNT_WORDS[d.kind as 'fd' | 'hd'][n === 1 ? 0 : 1]}`;
  }
  const kinds = completeBootOrder(order, image, counts.cdrom);
  const alone = (d: BootDrive) => singles.some((s) => s.kind === d.kind && s.index === d.index);
  const all = (kind: BootDeviceName): BootDrive[] => Array.from({ length: count(kind) }, (_, index) => ({ kind, index }));
  const listed = singles.length === 0 ? [] : order!.flatMap((name) => {
    const d = singleDrive(name);
    return d ? [d] : all(name as BootDeviceName).filter((x) => !alone(x));
  });
  const priority = (d: BootDrive) => {
    const at = listed.findIndex((x) => x.kind === d.kind && x.index === d.index);
    return at >= 0 ? at + 1 : 101 + kinds.indexOf(d.kind);
  };
  const drives = BOOT_DEVICE_NAMES.flatMap(all)
    .sort((a, b) => priority(a) - priority(b) || KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.index - b.index);
  return { kinds, listed, drives };
}

/** The kinds in the order the BIOS tries them: where each kind's first drive stands in `drives`. */
export function bootSequence(o: BootOrder): BootDeviceName[] {
  const seq = o.drives.map((d) => d.kind);
  return seq.filter((k, i) => seq.indexOf(k) === i);
}
