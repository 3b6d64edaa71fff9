// Drives for comparing boots with several drives (compareDrives.test.ts, dap/compareWith.test.ts):
// each boot sector puts its tag letter (byte 1F0h) on port E9h, then DL, then the tags of sector 0 of
// drives 80h and 81h read through INT 13h ('-' when the read fails), each loaded into AL first, and
// ends in a loop with interrupts off (a loop, not HLT, so a lock-step run reaches any budget).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../bios/harness';
import { makeIso } from '../disk/isoFixture';

const TAG = 0x1f0;

function program(tag: string): Uint8Array {
  const code = assemble(`
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov al, [0x7c00 + ${TAG}]
  out 0xe9, al
  mov al, dl
  out 0xe9, al
  mov dl, 0x80
  call tagOf
  mov dl, 0x81
  call tagOf
  cli
.spin:
  jmp .spin
tagOf:
  mov ax, 0x0201
  mov cx, 0x0001
  xor dh, dh
  mov bx, 0x8000
  int 0x13
  mov al, '-'
  jc .put
  mov al, [0x8000 + ${TAG}]
.put:
  out 0xe9, al
  ret`);
  code[TAG] = tag.charCodeAt(0);
  return code;
}

/** Two 1 MiB hard disks tagged A and B and a plain El Torito ISO tagged C, in a new directory. */
export function tagDrives(): { a: string; b: string; cd: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-compare-drives-'));
  const disk = (tag: string) => {
    const img = new Uint8Array(1 << 20);
    img.set(program(tag));
    writeFileSync(join(dir, `${tag}.img`), img);
    return join(dir, `${tag}.img`);
  };
  const cd = join(dir, 'c.iso');
  writeFileSync(cd, makeIso(program('C')));
  return { a: disk('A'), b: disk('B'), cd };
}

