; loader — stage 1 of a two-stage loader, in the style of the DOS-era MBR: the BIOS loads it at 0000:7C00, it moves
; itself to 0000:0600 (freeing 7C00 for whatever it chain-loads), reads stage 2 (stage2.asm, the sectors after this
; one) to 0000:8000 with INT 13h and jumps there with DL = boot drive. Progress goes to port 0xE9 and COM1 (io16.inc).
bits 16
org 0x600

STAGE2_ADDR equ 0x8000

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        ; Still running at 7C00 although assembled for 0600: nothing before the far jump may use an absolute
        ; address of this code.
        cld
        mov si, 0x7c00
        mov di, 0x0600
        mov cx, 256
        rep movsw
        jmp 0:relocated               ; #RELOCATE

relocated:
        sti                           ; #RELOCATED  first instruction at the new address
        mov [drive], dl
        mov si, msg_reloc
        call puts

        ; CHS read of the sectors that follow: cylinder 0, head 0, sectors 2.. (valid on every geometry, since a
        ; track has at least 17 sectors on any disk a BIOS boots).
        mov ax, 0x0200 | STAGE2_SECTORS
        mov cx, 0x0002
        xor dh, dh
        mov dl, [drive]
        mov bx, STAGE2_ADDR
        int 0x13                      ; #LOAD_STAGE2
        jc .fail
        mov si, msg_loaded
        call puts
        mov dl, [drive]
        jmp 0:STAGE2_ADDR
.fail:
        mov si, msg_fail
        call puts
        cli
        hlt

%include "io16.inc"

drive:      db 0
msg_reloc:  db 'loader: relocated to 0000:0600', 10, 0
msg_loaded: db 'loader: stage 2 loaded at 0000:8000', 10, 0
msg_fail:   db 'loader: disk read failed', 10, 0

        times 446 - ($ - $$) db 0
        times 64 db 0                 ; no partition table: the disk is the example
        dw 0xaa55

stage2_start:
        incbin "stage2.bin"
        align 512, db 0
stage2_end:
STAGE2_SECTORS equ (stage2_end - stage2_start) / 512
