; vm86task — the real-mode program the vm86-monitor example runs as a virtual-8086 task (segment 0900h, offset 0).
; It is ordinary BIOS-calling real-mode code: every INT, CLI, STI, PUSHF, POPF and the BIOS's own IRET fault to the
; monitor (IOPL 0), which emulates or reflects them, the way pre-boot disk-encryption software runs the boot loader
; it protects. INT F0h is the monitor call (AX = 1: first run over, AX = 2: done). Assembled by scripts/examples.mjs
; and included by vm86-monitor.asm; the listing (build/vm86task.lst) has offsets from CS = 0900h.
bits 16
org 0

HYPERCALL equ 0xf0

        dw phase1                     ; entry for the task switch (the monitor's TSS points here)
        dw phase2                     ; entry for the IRET re-entry

phase1:
        mov si, msg_ts                ; #VM86_TS  first instruction after the task switch: DS = ES = CS = 0900h
        call print
        ; The virtual interrupt flag: CLI/STI/PUSHF/POPF all trap, and PUSHF must report what CLI/STI set.
        cli                           ; #CLI
        pushf
        pop ax
        sti
        pushf                         ; kept for the POPF below
        pushf
        pop bx
        popf                          ; restores IF as pushed (1): emulated too
        and ax, 0x200
        and bx, 0x200
        cmp ax, 0
        jne .vif_bad
        cmp bx, 0x200
        jne .vif_bad
        mov si, msg_vif
        call print
        jmp .disk
.vif_bad:
        mov si, msg_vif_bad
        call print
.disk:
        ; Read the MBR (C/H/S 0/0/1) through the reflected INT 13h and check its signature.
        mov ax, 0x0201
        mov cx, 0x0001
        xor dh, dh
        mov dl, 0x80
        mov bx, buffer
        int 0x13                      ; #INT13
        jc .disk_bad
        cmp word [buffer + 510], 0xaa55
        jne .disk_bad
        mov si, msg_disk
        call print
        jmp .done
.disk_bad:
        mov si, msg_disk_bad
        call print
.done:
        mov ax, 1
        int HYPERCALL                 ; first run over: the monitor re-enters us at phase2 by IRET

phase2:
        mov si, msg_iret              ; #VM86_IRET  first instruction after the IRET into vm86
        call print
        mov ax, 2
        int HYPERCALL                 ; done: the monitor reports and halts
        jmp $

; INT 10h teletype of the zero-terminated DS:SI.
print:
        lodsb
        test al, al
        jz .done
        mov ah, 0x0e
        mov bx, 0x0007
        int 0x10                      ; #INT10
        jmp print
.done:  ret

msg_ts:       db 'vm86: entered by task switch', 13, 10, 0
msg_vif:      db 'vm86: CLI/STI/PUSHF/POPF see the virtual IF', 13, 10, 0
msg_vif_bad:  db 'vm86: virtual IF wrong', 13, 10, 0
msg_disk:     db 'vm86: INT 13h read the MBR (55AA)', 13, 10, 0
msg_disk_bad: db 'vm86: INT 13h failed', 13, 10, 0
msg_iret:     db 'vm86: entered by IRET', 13, 10, 0

        align 16
buffer:
