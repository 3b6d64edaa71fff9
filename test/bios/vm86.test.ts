// The BIOS under a vm86 monitor (as EMM386, DOS extenders or Xen's real-mode support run it): a
// 32-bit protected-mode monitor reflects INT 10h/12h/13h from a virtual-8086 task into the IVT, the
// F000 stubs trap in vm86 (the trap honours the ROM address through the vm86 CS base), and the stub's
// IRET returns to the vm86 caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from './harness';

const MONITOR = `
tss equ 0x3000                       ; in zeroed RAM: 104-byte TSS, then an all-zero I/O bitmap
iomap equ tss + 104
idt equ 0x2000
  cli
  xor ax, ax
  mov ds, ax
  lgdt [gdtr]
  lidt [idtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp dword 0x08:pm32
bits 32
pm32:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov fs, ax
  mov gs, ax
  mov esp, 0x9000
  mov eax, tss                       ; TSS descriptor base, filled in at run time
  mov [gdt + 0x18 + 2], ax
  shr eax, 16
  mov [gdt + 0x18 + 4], al
  mov [gdt + 0x18 + 7], ah
  mov dword [tss + 4], 0x9000        ; ESP0
  mov dword [tss + 8], 0x10          ; SS0
  mov word [tss + 102], iomap - tss  ; I/O bitmap: all ports allowed
  mov byte [iomap + 8192], 0xff      ; the byte that ends the bitmap
  mov ebx, 0x10                      ; IDT gates: 10h, 12h, 13h reflect; 0Dh (#GP from HLT) stops
  mov eax, reflect10
  call gate
  mov ebx, 0x12
  mov eax, reflect12
  call gate
  mov ebx, 0x13
  mov eax, reflect13
  call gate
  mov ebx, 0x0d
  mov eax, stop
  call gate
  mov ax, 0x18
  ltr ax
  push dword 0                       ; GS FS DS ES
  push dword 0
  push dword 0
  push dword 0
  push dword 0                       ; SS:ESP of the vm86 task
  push dword 0x7000
  push dword 0x00023002              ; VM, IOPL 3, IF off
  push dword 0                       ; CS:EIP
  push dword v86
  iretd
gate:                                ; EBX = vector, EAX = handler: 32-bit interrupt gate, DPL 3
  mov [idt + ebx*8], ax
  mov word [idt + ebx*8 + 2], 0x08
  mov word [idt + ebx*8 + 4], 0xee00
  shr eax, 16
  mov [idt + ebx*8 + 6], ax
  ret
reflect10:
  push dword 0x10
  jmp reflect
reflect12:
  push dword 0x12
  jmp reflect
reflect13:
  push dword 0x13
  jmp reflect
reflect:                             ; [esp] vector, then EIP CS EFLAGS ESP SS ES DS FS GS of the vm86 task
  push eax
  push ebx
  push ecx
  push edx
  mov ax, 0x10
  mov ds, ax
  lea ebp, [esp + 16]
  movzx ebx, word [ebp + 20]         ; vm86 SS:SP -> linear, make room for FLAGS CS IP
  shl ebx, 4
  movzx ecx, word [ebp + 16]
  sub cx, 6
  mov [ebp + 16], ecx
  add ebx, ecx
  mov ax, [ebp + 4]
  mov [ebx], ax
  mov ax, [ebp + 8]
  mov [ebx + 2], ax
  mov ax, [ebp + 12]
  mov [ebx + 4], ax
  mov eax, [ebp]
  mov edx, [eax * 4]                 ; IVT entry
  movzx ecx, dx
  mov [ebp + 4], ecx
  shr edx, 16
  mov [ebp + 8], edx
  and dword [ebp + 12], ~0x300       ; IF and TF off in the handler, as INT does
  pop edx
  pop ecx
  pop ebx
  pop eax
  add esp, 4
  iretd
stop:
  cli
  hlt
align 8
gdt: dq 0
  dq 0x00cf9a000000ffff
  dq 0x00cf92000000ffff
  dq 0x0000890000002068              ; 32-bit TSS, limit 104 + 8192 bytes of bitmap (base set at run time)
gdtr: dw 0x1f
  dd gdt
idtr: dw 0x7ff
  dd idt
bits 16
`;

test('INT 10h/12h/13h from a vm86 task, reflected by a protected-mode monitor, reach the BIOS and return', () => {
  const r = runProgram(`${MONITOR}
v86:
  mov ax, 0x0e56
  int 0x10
  int 0x12
  call puthex16
  PUTC ' '
  mov ah, 0x08
  mov dl, 0x80
  int 0x13
  jc .bad
  mov al, dh
  call puthex8
  pushf
  pop ax
  and ax, 0x3201                     ; IOPL 3 kept, IF off as the task had it, CF clear from the BIOS
  PUTC ' '
  call puthex16
  hlt                                ; #GP in vm86: the monitor stops
.bad:
  PUTC '!'
  hlt
`, { max: 100000 });
  assert.equal(r.stop.reason, 'halt');
  assert.equal(r.out, '027F 0F 3000');
  assert.equal(r.m.devices.screenLines()[0][0], 'V');
  assert.equal(r.bios.log.length, 0);
});
