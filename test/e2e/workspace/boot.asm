; Bootscope e2e fixture: a boot sector that writes a line straight into VGA text memory (white on blue), then spins.
; Assembled on F5 by the extension (nasm -f bin -l boot.lst); boot.bin is checked in for machines without nasm.
        org 0x7c00
        bits 16
start:  cli                     ; #ENTRY
        xor ax, ax
        mov ds, ax
        mov ax, 0xb800
        mov es, ax
        xor di, di
        mov si, msg
        mov ah, 0x1f            ; attribute: bright white on blue
.next:  lodsb
        test al, al
        jz .done
        stosw                   ; #BP1
        jmp .next
.done:  jmp .done               ; spin with interrupts off: the guest keeps running until paused
msg:    db 'Hello from Bootscope', 0
        times 510-($-$$) db 0
        dw 0xaa55
