; c-loader stage 1 (the MBR): sets up real mode, loads the rest of the image (the C stages and the
; protected-mode switch, linked behind it by c-loader.ld) from LBA 1 to 0000:7E00 with INT 13h AH=02h
; and calls the 16-bit C code. Assembled with nasm -f elf32 -F dwarf, so its lines are in the
; DWARF line table beside the C ones.
bits 16
section .text                   ; nasm -F dwarf gives lines for .text only: c-loader.ld puts this one at 7C00
global _start
extern cmain16
extern stage_sectors

_start:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, 0x7c00               ; gcc -m16 code addresses the stack through ESP and EBP
  sti
  push dx                       ; the boot drive: boot_drive lies in the sectors about to be loaded
  mov ax, stage_sectors         ; sectors behind the MBR (c-loader.ld counts them)
  mov ah, 0x02
  mov cx, 0x0002                ; cylinder 0, sector 2
  xor dh, dh                    ; head 0; DL: the boot drive
  mov bx, 0x7e00
  int 0x13                      ; #LOAD
  jc .fail
  pop dx
  mov [boot_drive], dl
  call dword cmain16            ; #CALL_C: gcc -m16 functions return with a 32-bit RETL
.fail:
  mov al, '!'
  out 0xe9, al
  cli
  hlt

section .data
global boot_drive
boot_drive: db 0
