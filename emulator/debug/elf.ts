// ELF32 little-endian executables as symbol files: section contents by name (the DWARF reader's
// input) and the symbol table's defined code and data symbols. The host reads the file; this parses
// its bytes. Pure TypeScript: no Node or VS Code imports. System V ABI ch. 4 (ELF header, sections,
// symbol table).

import { type SymbolDef, SymbolFileError } from './symbols';

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHF_COMPRESSED = 0x800;
const ET_EXEC = 2;
const ET_REL = 1;
const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2;
const SHN_UNDEF = 0, SHN_LORESERVE = 0xff00;

export interface ElfFile {
  /** Section contents by name (SHT_NOBITS sections are absent). */
  readonly sections: ReadonlyMap<string, Uint8Array>;
  /** Section addresses (sh_addr) by name: .eh_frame's PC-relative pointers count from it. */
  readonly addresses: ReadonlyMap<string, number>;
  /** Defined function, object and untyped symbols that name an address (not absolute, not a section or file). */
  readonly symbols: SymbolDef[];
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

function cstring(b: Uint8Array, at: number): string {
  let end = at;
  while (end < b.length && b[end] !== 0) end++;
  let s = '';
  for (let i = at; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Parses an ELF32 executable (ET_EXEC, little-endian); throws SymbolFileError naming `file` for anything else. */
export function parseElf(bytes: Uint8Array, file: string): ElfFile {
  const bad = (why: string) => new SymbolFileError(`${file}: ${why}`);
  if (!isElf(bytes)) throw bad('not an ELF file');
  if (bytes.length < 52) throw bad('truncated ELF header');
  if (bytes[4] === 2) throw bad('ELF64 is not read: link the boot code as ELF32 (ld -m elf_i386)');
  if (bytes[4] !== 1 || bytes[5] !== 1) throw bad('not a little-endian ELF32 file');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = v.getUint16(16, true);
  if (type === ET_REL) throw bad('an object file (ET_REL) has no final addresses: give the linked executable (ld -o boot.elf …)');
  if (type !== ET_EXEC) throw bad(`ELF type ${type} is not an executable (ET_EXEC)`);
  const shoff = v.getUint32(32, true), shentsize = v.getUint16(46, true), shnum = v.getUint16(48, true), shstrndx = v.getUint16(50, true);
  if (shnum === 0) throw bad('no section headers (stripped of them?): nothing to read symbols from');
  if (shentsize < 40 || shoff + shnum * shentsize > bytes.length) throw bad('section header table lies outside the file');
  const headers = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      name: v.getUint32(at, true), type: v.getUint32(at + 4, true), flags: v.getUint32(at + 8, true), addr: v.getUint32(at + 12, true),
      offset: v.getUint32(at + 16, true), size: v.getUint32(at + 20, true), link: v.getUint32(at + 24, true), entsize: v.getUint32(at + 36, true),
    };
  });
  const data = (i: number): Uint8Array => {
    const h = headers[i];
    if (h.type === SHT_NOBITS) return new Uint8Array(0);
    if (h.offset + h.size > bytes.length) throw bad(`section ${i} lies outside the file`);
    return bytes.subarray(h.offset, h.offset + h.size);
  };
  if (shstrndx >= shnum) throw bad('no section name table');
  const names = data(shstrndx);
  const sections = new Map<string, Uint8Array>();
  const addresses = new Map<string, number>();
  for (let i = 1; i < shnum; i++) {
    const h = headers[i];
    const name = cstring(names, h.name);
    if (h.type === SHT_NOBITS) continue;
    if (name.startsWith('.debug_') && (h.flags & SHF_COMPRESSED) !== 0) {
      throw bad(`${name} is compressed: link without --compress-debug-sections (or objcopy --decompress-debug-sections)`);
    }
    sections.set(name, data(i));
    addresses.set(name, h.addr);
  }
  const symbols: SymbolDef[] = [];
  headers.forEach((h, i) => {
    if (h.type !== SHT_SYMTAB) return;
    const tab = data(i), strings = data(h.link);
    const size = h.entsize || 16;
    const sv = new DataView(tab.buffer, tab.byteOffset, tab.byteLength);
    for (let at = size; at + 16 <= tab.length; at += size) {
      const kind = tab[at + 12] & 0xf, shndx = sv.getUint16(at + 14, true);
      if (kind !== STT_NOTYPE && kind !== STT_OBJECT && kind !== STT_FUNC) continue;
      if (shndx === SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
      const name = cstring(strings, sv.getUint32(at, true));
      if (name) symbols.push({ name, address: sv.getUint32(at + 4, true) });
    }
  });
  return { sections, addresses, symbols };
}
