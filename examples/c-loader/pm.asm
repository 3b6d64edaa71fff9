; c-loader: the switch from real mode to 32-bit protected mode, called from the 16-bit C code; it
; loads a flat GDT, sets CR0.PE, far-jumps to 32-bit code and calls the 32-bit C code, never returning.
; Stepping by line goes through it instruction by instruction (nasm -F dwarf).
bits 16
section .text
global enter_pm
extern cmain32

enter_pm:
  cli
  lgdt [gdt_desc]
  mov eax, cr0
  or eax, 1
  mov cr0, eax                  ; #PE_ON
  jmp dword 0x08:pm32

bits 32
pm32:
  mov ax, 0x10                  ; #PM32
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, 0x90000
  call cmain32
.halt:
  hlt
  jmp .halt

section .rodata
align 8
gdt:
  dq 0
  dq 0x00cf9a000000ffff         ; 08h: code, base 0, 4 GiB, 32-bit
  dq 0x00cf92000000ffff         ; 10h: data, base 0, 4 GiB
gdt_desc:
  dw gdt_desc - gdt - 1
  dd gdt
