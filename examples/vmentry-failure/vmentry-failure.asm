; vmentry-failure — the classic hypervisor real-mode failure, reproduced. A loader reads its "kernel" with INT 13h,
; verifies it with a checksum (a few hundred thousand instructions: nobody single-steps to what follows), puts its
; stack at the top of conventional memory with paragraph arithmetic that leaves SS = 0x9FFB, and switches to
; protected mode *before* reloading SS. Real hardware does not care: SS keeps its cached real-mode descriptor
; until the reload. VMX without "unrestricted guest" does: between `mov cr0, eax` (#PE_ON) and `mov ss, ax`
; (#SS_RELOAD) the guest has SS.RPL = 3 (the selector's low bits) while CS.RPL = 0 and the cached SS.DPL = 0,
; which fails the SDM guest-state checks SS.RPL == CS.RPL and SS.DPL == SS.RPL (Vol. 3 §26.3.1.2).
; Xen (vm86 real-mode support) and KVM (unrestricted_guest=0) must emulate that window; a hypervisor that tries
; to enter it fails with exit reason 0x80000021. See examples/README.md for what to look at.
bits 16
org 0x7c00

KERNEL_SEG     equ 0x1000            ; kernel image at 1000:0000 (64 KiB window)
KERNEL_SECTORS equ 127               ; the packet interface reads at most 127 sectors per call on many BIOSes
DEBUG_PORT     equ 0xe9              ; Bochs/QEMU/Xen debug console: progress without touching the screen

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        mov [boot_drive], dl
        cld
        mov si, msg_start
        call debug_print

        ; Load the kernel: the 127 sectors after this one (one packet read; the checksum below verifies them).
        mov si, dap
        mov ah, 0x42
        mov dl, [boot_drive]
        int 0x13
        jc disk_error

        ; Checksum the 64 KiB kernel window, one word at a time, three times (a Fletcher-style running pair):
        ; ~390,000 instructions of ordinary real-mode work before anything interesting happens.
        mov ax, KERNEL_SEG
        mov ds, ax
        xor bx, bx                    ; BX: sum of words
        xor dx, dx                    ; DX: sum of sums
        mov bp, 3                     ; three passes
.pass:  xor si, si
        mov cx, 0x8000                ; 32 Ki words
.word:  lodsw
        add bx, ax
        add dx, bx
        loop .word
        dec bp
        jnz .pass
        xor ax, ax
        mov ds, ax
        mov [checksum], bx
        mov [checksum + 2], dx
        mov si, msg_sum
        call debug_print

        ; Stack at the top of conventional memory, 80 bytes (5 paragraphs) below 640 KiB. In real mode any
        ; paragraph is a valid SS; the low two bits of 0xA000 - 5 = 0x9FFB only matter once CR0.PE is set.
        mov ax, 0xa000 - 5
        cli
        mov ss, ax                    ; #SS_LOAD  (the write to SS the diagnosis walks back to)
        mov sp, 0x0050
        sti

        ; Enter protected mode the way many loaders do: CR0.PE first, then a far jump for CS, then the data
        ; segments and SS. Interrupts stay off: the IVT means nothing once PE is set.
        cli
        lgdt [gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax                  ; #PE_ON  SS is still 0x9FFB (RPL 3) with a DPL-0 cache: not VM-enterable
        jmp 0x08:pm32                 ; #FAR_JMP  CS = 0x08 (RPL 0): SS.RPL != CS.RPL still

bits 32
pm32:
        mov ax, 0x10
        mov ss, ax                    ; #SS_RELOAD  SS.RPL = 0 = CS.RPL, DPL 0: VM entry is possible again
        mov esp, 0x9fff0
        mov ds, ax
        mov es, ax
        mov esi, msg_pm
        call debug_print32            ; #PM_OK
.park:  hlt                           ; interrupts are off: the debugger reports "halt"
        jmp .park

debug_print32:
        lodsb
        test al, al
        jz .done
        out DEBUG_PORT, al
        jmp debug_print32
.done:  ret

bits 16
disk_error:
        mov si, msg_disk
        call debug_print
        cli
        hlt

; Zero-terminated DS:SI to the debug port (real mode).
debug_print:
        lodsb
        test al, al
        jz .done
        out DEBUG_PORT, al
        jmp debug_print
.done:  ret

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff         ; 0x08: flat 4 GiB code, ring 0, 32-bit
        dq 0x00cf92000000ffff         ; 0x10: flat 4 GiB data, ring 0
gdt_desc:
        dw gdt_desc - gdt - 1
        dd gdt

dap:    db 0x10, 0
        dw KERNEL_SECTORS
        dw 0, KERNEL_SEG
        dq 1

boot_drive: db 0
checksum:   dd 0
msg_start:  db 'vmentry-failure: loading kernel', 10, 0
msg_sum:    db 'kernel checksum done', 10, 0
msg_pm:     db 'protected mode, SS reloaded', 10, 0
msg_disk:   db 'kernel read failed', 10, 0

        times 510 - ($ - $$) db 0
        dw 0xaa55

; The "kernel": 127 sectors, each filled with its own number, so the checksum depends on every one of them.
%assign sector 1
%rep KERNEL_SECTORS
        times 256 dw sector
%assign sector sector + 1
%endrep
