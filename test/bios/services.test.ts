// BIOS services through small NASM boot sectors assembled at test time: each program calls the BIOS
// the way boot code does and prints what came back to port E9h, then stops with CLI/HLT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from './harness';
import { e820Map } from '../../emulator/bios/int15';

const HALT = '\n  cli\n  hlt\n';

test('boot: sector 0 at 0000:7C00 with the SeaBIOS register state, IF on, count starts at 0', () => {
  const r = runProgram(`
  pushf
  pop bx
  mov [0x600], sp
  mov cx, ax
  mov ax, cx
  call puthex16
  PUTC ' '
  mov ax, dx
  call puthex16
  PUTC ' '
  mov ax, [0x600]
  call puthex16
  PUTC ' '
  mov ax, bx
  call puthex16
  PUTC ' '
  mov ax, cs
  call puthex16
  ${HALT}`);
  assert.equal(r.stop.reason, 'halt');
  assert.equal(r.out, 'AA55 0080 6F04 0202 0000');
});

test('INT 10h: teletype with CR/LF/BS and scrolling, cursor get/set, write char/attr, read back, mode', () => {
  const r = runProgram(`
  mov ax, 0x0003
  int 0x10
  mov si, msg
.p:
  lodsb
  test al, al
  jz .done
  mov ah, 0x0e
  int 0x10
  jmp .p
.done:
  mov ah, 0x03
  mov bh, 0
  int 0x10
  mov ax, dx
  call puthex16          ; row 1, col 1 -> 0101
  PUTC ' '
  mov ah, 0x02
  mov bh, 0
  mov dx, 0x0510
  int 0x10
  mov ax, 0x0941         ; 'A' x3, attribute 1Eh
  mov bx, 0x001e
  mov cx, 3
  int 0x10
  mov ah, 0x08
  mov bh, 0
  int 0x10
  call puthex16          ; 1E41
  PUTC ' '
  mov ah, 0x0f
  int 0x10
  call puthex16          ; 5003
  PUTC ' '
  mov ax, 0x1a00
  int 0x10
  call puthex16          ; 1A1A (AH kept)
  PUTC ' '
  mov ax, bx
  call puthex16          ; 0008
  mov ah, 0x12
  mov bl, 0x10
  int 0x10
  PUTC ' '
  mov ax, bx
  call puthex16          ; 0003
  ${HALT}
msg: db 'Hello', 13, 10, 'wXy', 8, 8, 0`);
  assert.equal(r.out, '0101 1E41 5003 1A1A 0008 0003');
  const lines = r.m.devices.screenLines({ trimEnd: true });
  assert.equal(lines[0], 'Hello');
  assert.equal(lines[1], 'wXy');
  assert.equal(lines[5], '                AAA');
  assert.equal(r.m.mem.read8(0xb8000 + (5 * 80 + 16) * 2 + 1), 0x1e);
  // The hardware cursor follows INT 10h AH=02h.
  assert.deepEqual([r.m.devices.vga.cursor().row, r.m.devices.vga.cursor().col], [5, 16]);
});

test('INT 10h: teletype scrolls the screen at the bottom; AH=06h clears a window', () => {
  const r = runProgram(`
  mov cx, 30
.l:
  mov ax, 0x0e30
  add al, cl
  int 0x10
  mov ax, 0x0e0d
  int 0x10
  mov ax, 0x0e0a
  int 0x10
  loop .l
  mov ax, 0x0600
  mov bh, 0x07
  mov cx, 0x0000
  mov dx, 0x0000
  int 0x10
  ${HALT}`);
  const lines = r.m.devices.screenLines({ trimEnd: true });
  // 30 lines printed ('N' down to '1'), then the empty line after the last LF: rows show chars 30-6+1..
  assert.equal(lines[23], String.fromCharCode(0x31));
  assert.equal(lines[24], '');
  assert.equal(lines[0], ''); // cleared by AH=06h AL=0 over (0,0)-(0,0)
  assert.equal(lines[1], String.fromCharCode(0x30 + 23));
});

test('INT 11h/12h, INT 15h 88h/E801h/C0h/C1h and the E820 map', () => {
  const r = runProgram(`
  int 0x11
  call puthex16
  PUTC ' '
  int 0x12
  call puthex16
  PUTC ' '
  mov ah, 0x88
  int 0x15
  call puthex16
  PUTC ' '
  mov ax, 0xe801
  int 0x15
  call puthex16
  PUTC ' '
  mov ax, bx
  call puthex16
  PUTC ' '
  mov ah, 0xc0
  int 0x15
  mov ax, es
  call puthex16
  PUTC ':'
  mov ax, bx
  call puthex16
  PUTC ' '
  mov al, [es:bx+2]
  call puthex8
  PUTC ' '
  mov ah, 0xc1
  int 0x15
  mov ax, es
  call puthex16
  PUTC ' '
  xor ax, ax
  mov es, ax
  xor ebx, ebx
.next:
  mov eax, 0xe820
  mov edx, 0x534d4150
  mov ecx, 24
  mov di, 0x1000
  int 0x15
  jc .bad
  cmp eax, 0x534d4150
  jne .bad
  mov eax, [0x1004]
  call puthex32
  mov eax, [0x1000]
  call puthex32
  PUTC '+'
  mov eax, [0x1008]
  call puthex32
  PUTC '/'
  mov al, [0x1010]
  call puthex8
  PUTC ' '
  test ebx, ebx
  jnz .next
  PUTC 'E'
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}`, { memoryMB: 32 });
  const e820 = e820Map(32 << 20).map((e) => `${e.base.toString(16).toUpperCase().padStart(16, '0')}+${e.length.toString(16).toUpperCase().padStart(8, '0')}/0${e.type} `).join('');
  assert.equal(r.out, `0220 027F 7C00 3C00 0100 F000:E6F5 FC 9FC0 ${e820}E`);
  assert.deepEqual(e820Map(32 << 20).map((e) => e.type), [1, 2, 2, 1, 2]);
  assert.equal(e820Map(32 << 20)[3].base + e820Map(32 << 20)[3].length, 32 << 20);
});

test('INT 15h A20 (2400h-2403h) switches the gate that memory sees', () => {
  const r = runProgram(`
  mov ax, 0x2403
  int 0x15
  mov ax, bx
  call puthex16
  PUTC ' '
  mov ax, 0x2400
  int 0x15
  mov ax, 0x2402
  int 0x15
  call puthex8
  mov ax, 0xffff
  mov es, ax
  mov byte [es:0x10], 0x5a     ; wraps to 0:0000 while A20 is off
  PUTC ' '
  mov al, [0]
  call puthex8
  mov ax, 0x2401
  int 0x15
  mov ax, 0x2402
  int 0x15
  PUTC ' '
  call puthex8
  ${HALT}`);
  assert.equal(r.out, '0003 00 5A 01');
  assert.equal(r.m.mem.a20Enabled, true);
});

test('INT 15h 87h copies through the GDT it is given (above 1 MiB and back)', () => {
  const r = runProgram(`
  mov word [0x700], 0x1234
  mov word [0x702], 0xabcd
  ; GDT at 0x800: entries 2 (source) and 3 (destination)
  mov di, 0x800
  xor ax, ax
  mov cx, 24
  rep stosw
  mov word [0x810], 0xffff
  mov word [0x812], 0x0700      ; source 0x000700
  mov byte [0x815], 0x93
  mov word [0x818], 0xffff
  mov word [0x81a], 0x0000      ; destination 0x200000
  mov byte [0x81c], 0x20
  mov byte [0x81d], 0x93
  mov si, 0x800
  mov cx, 2
  mov ah, 0x87
  int 0x15
  jc .bad
  call puthex8
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}`);
  assert.equal(r.out, '00');
  assert.equal(r.m.mem.read32(0x200000), 0xabcd1234);
});

test('INT 15h 86h waits with the timer running; INT 1Ah 00h reads the ticks INT 08h counts', () => {
  const r = runProgram(`
  mov cx, 0x0007
  mov dx, 0xa120            ; 500000 us: about 9 ticks of 54.9 ms
  mov ah, 0x86
  int 0x15
  jc .bad
  xor ax, ax
  int 0x1a
  mov ax, dx
  call puthex16
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}`);
  assert.equal(r.out, '0009');
});

test('INT 1Ah: RTC time and date from the CMOS (BCD); BB00h TCG is not present', () => {
  const r = runProgram(`
  mov ah, 0x04
  int 0x1a
  mov ax, cx
  call puthex16
  mov ax, dx
  call puthex16
  PUTC ' '
  mov ah, 0x02
  int 0x1a
  mov ax, cx
  call puthex16
  PUTC ' '
  mov ax, 0xbb00
  int 0x1a
  jnc .bad
  test eax, eax
  jz .bad
  PUTC 'n'
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}`);
  assert.equal(r.out, '20240101 0000 n');
});

test('unsupported functions answer CF=1 AH=86h (01h for disks) and are logged, never thrown', () => {
  const r = runProgram(`
  mov ax, 0xc200
  int 0x15
  jnc .bad
  mov al, ah
  call puthex8
  PUTC ' '
  mov ah, 0x99
  mov dl, 0x80
  int 0x13
  jnc .bad
  mov al, ah
  call puthex8
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}`);
  assert.equal(r.out, '86 01');
  assert.equal(r.bios.log.length, 2);
  assert.match(r.bios.log[0].message, /INT 15h AX=C200h/);
  assert.match(r.bios.log[1].message, /INT 13h AX=99/);
});

test('the trap opcode 0F 37 is #UD outside the BIOS ROM', () => {
  const r = runProgram(`
  xor ax, ax
  mov ds, ax
  mov word [6*4], ud
  mov word [6*4+2], 0
  db 0x0f, 0x37, 0x10
  PUTC '!'
  ${HALT}
ud:
  PUTC 'U'
  ${HALT}`);
  assert.equal(r.out, 'U');
});

test('INT 19h reboots from sector 0 without resetting the instruction count; INT 18h halts with a log entry', () => {
  const r = runProgram(`
  cmp byte [0x500], 1
  je .second
  mov byte [0x500], 1
  PUTC '1'
  int 0x19
.second:
  PUTC '2'
  int 0x18
  PUTC '!'`);
  assert.equal(r.out, '12');
  assert.equal(r.stop.reason, 'halt');
  assert.ok(r.bios.log.some((e) => /INT 18h/.test(e.message)));
  assert.ok(r.m.cpu.icount > 10);
});

test('the same program runs on the 8086 and 80286 models (trap through POP CS on the 8086)', () => {
  for (const cpu of ['8086', '80286'] as const) {
    const r = runProgram(`
  mov ax, 0x0e41
  int 0x10
  int 0x12
  push ax
  mov al, ah
  call .h
  pop ax
  call .h
  ${HALT}
.h:
  push ax
  shr al, 1
  shr al, 1
  shr al, 1
  shr al, 1
  call .d
  pop ax
.d:
  and al, 0x0f
  add al, '0'
  cmp al, '9'
  jbe .o
  add al, 7
.o:
  out 0xe9, al
  ret`, { cpu });
    assert.equal(r.out, '027F', cpu);
    assert.equal(r.m.devices.screenLines()[0][0], 'A', cpu);
  }
});
