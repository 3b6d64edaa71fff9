; hello — the first-F5 example: a one-sector MBR that greets through the video BIOS, reads the next sector with
; the INT 13h extensions (LBA, AH=42h) and prints the marker it finds there, then waits for a key and echoes it.
; Build: node scripts/examples.mjs (examples/build/hello.img, .lst). See examples/README.md.
bits 16
org 0x7c00

SECTOR_BUF equ 0x8000                 ; where sector 1 lands: above us, below the stack's reach

start:
        cli
        xor ax, ax                    ; the BIOS promises CS:IP = 0000:7C00 (or 07C0:0000): normalise everything
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00                ; stack grows down from just below the boot sector
        sti
        mov [boot_drive], dl          ; DL is the only thing the BIOS hands us; INT 13h needs it later
        cld

        mov si, msg_hello
        call print                    ; #HELLO

        ; INT 13h extensions are optional on old BIOSes: ask before using the packet interface.
        mov ah, 0x41
        mov bx, 0x55aa
        mov dl, [boot_drive]
        int 0x13
        jc no_ext
        cmp bx, 0xaa55                ; the BIOS swaps the signature when it implements the extensions
        jne no_ext
        test cl, 1                    ; bit 0: the fixed-disk access subset (AH=42h/43h/48h)
        jz no_ext

        mov si, dap
        mov ah, 0x42
        mov dl, [boot_drive]
        int 0x13                      ; #READ
        jc read_error
        mov si, msg_read
        call print
        mov si, SECTOR_BUF            ; the sector starts with its zero-terminated marker text
        call print
        mov si, crlf
        call print

        mov si, msg_key
        call print
        xor ah, ah                    ; AH=00h: blocks until a key is available
        int 0x16                      ; #KEY
        mov [key_echo], al
        mov si, msg_got
        call print
        mov si, msg_bye
        call print

halt:   cli                           ; nothing left to boot: park the CPU (the debugger reports "halt")
        hlt
        jmp halt

no_ext:
        mov si, msg_noext
        call print
        jmp halt
read_error:
        mov si, msg_readerr
        call print
        jmp halt

; Teletype output of the zero-terminated string at DS:SI; AH=0Eh advances the cursor and scrolls for us.
print:
        pusha
.next:  lodsb
        test al, al
        jz .done
        mov ah, 0x0e
        mov bx, 0x0007                ; page 0, light grey (the colour only matters in graphics modes)
        int 0x10
        jmp .next
.done:  popa
        ret

; Disk address packet for AH=42h: one sector, LBA 1, into 0000:SECTOR_BUF.
dap:    db 0x10, 0                    ; packet size, reserved
        dw 1                          ; sector count
        dw SECTOR_BUF, 0              ; buffer offset, segment
        dq 1                          ; LBA

boot_drive:  db 0
msg_hello:   db 'Hello from the boot sector!', 13, 10, 0
msg_read:    db 'LBA 1 says: ', 0
msg_key:     db 'Press a key...', 13, 10, 0
msg_got:     db 'You pressed: '
key_echo:    db '?', 13, 10, 0
msg_bye:     db 'Bye.', 13, 10, 0
msg_noext:   db 'No INT 13h extensions', 13, 10, 0
msg_readerr: db 'Disk read failed', 13, 10, 0
crlf:        db 13, 10, 0

        times 446 - ($ - $$) db 0     ; code must not run into the partition table
        times 64 db 0                 ; no partitions: the whole disk is this example
        dw 0xaa55

; LBA 1: the data sector the MBR reads.
sector1:
        db 'SECTOR-1 MARKER: read with INT 13h AH=42h', 0
        times 512 - ($ - sector1) db 0
