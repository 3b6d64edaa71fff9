; Bootscope e2e fixture: a boot sector that prints a line through INT 10h and halts.
; Assembled on F5 by the extension (nasm -f bin -l boot.lst); boot.bin is checked in for machines without nasm.
        org 0x7c00
        bits 16
start:  xor ax, ax              ; #ENTRY
        mov ds, ax
        mov si, msg
        mov ah, 0x0e
.next:  lodsb
        test al, al
        jz .done
        int 0x10                ; #BP1
        jmp .next
.done:  hlt
        jmp .done
msg:    db 'Hello from Bootscope', 0
        times 510-($-$$) db 0
        dw 0xaa55
