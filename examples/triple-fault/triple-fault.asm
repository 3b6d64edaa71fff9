; triple-fault — a loader that triple-faults, and why. It enters 32-bit protected mode in a boot-time code segment
; (BOOT_CS), builds its IDT there — 32 interrupt gates whose selector is taken from CS, the segment running at the
; time (#GATE_CS) — then moves to its final code segment (CODE_SEL) and retires the boot-time one by clearing its
; present bit (#RETIRE), so that a stray far jump to it faults. Every gate still names BOOT_CS. The first exception
; (a divide by a count that is still zero, #DIVIDE) cannot be delivered: the handler's code segment is not present
; (#NP, SDM Vol. 3 §6.12.1), an #NP raised while delivering #DE makes a double fault (Table 6-5), and #DF goes
; through a gate naming the same segment: shutdown. Real hardware resets; Bootscope stops before the reset with the
; chain explained, and "find the write that broke it" walks back to #RETIRE. See examples/README.md.
bits 16
org 0x7c00

BOOT_CS    equ 0x08                  ; 32-bit code used while setting up (retired afterwards)
DATA_SEL   equ 0x10                  ; 4 GiB flat data
CODE_SEL   equ 0x18                  ; 32-bit code for the rest of the loader (same base and limit)
DEBUG_PORT equ 0xe9                  ; Bochs/QEMU debug console

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        cld
        in al, 0x92                   ; A20 through port 92h (no reset bit)
        or al, 2
        and al, 0xfe
        out 0x92, al
        lgdt [gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp BOOT_CS:pm32              ; #FAR_JMP

bits 32
pm32:
        mov ax, DATA_SEL
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7c00
        mov esi, msg_pm
        call debug_print

        ; The IDT: 32 present DPL-0 32-bit interrupt gates, all to fault_handler in the code segment running now.
        mov edi, idt
        mov ecx, 32
.gate:  mov eax, fault_handler
        mov [edi], ax                 ; offset 15..0
        shr eax, 16
        mov [edi + 6], ax             ; offset 31..16
        mov word [edi + 4], 0x8e00    ; P=1, DPL 0, type 14 (32-bit interrupt gate)
        mov ax, cs
        mov [edi + 2], ax             ; #GATE_CS  the selector: BOOT_CS, since that is what runs now
        add edi, 8
        loop .gate
        lidt [idt_desc]               ; #LIDT
        jmp CODE_SEL:main             ; #TO_CODE_SEL

main:
        ; Nothing should run in BOOT_CS any more: mark it not present so that a stray far jump to it faults.
        and byte [gdt + BOOT_CS + 5], 0x7f  ; #RETIRE  P=0 — but every IDT gate still names BOOT_CS
        mov esi, msg_idt
        call debug_print

        ; Average sectors per file: the count was never filled in, so this divides by zero (#DE, vector 0).
        mov eax, [total_sectors]
        xor edx, edx
        div dword [file_count]        ; #DIVIDE
        mov esi, msg_done
        call debug_print
        cli
        hlt

fault_handler:
        mov esi, msg_fault            ; never reached: delivery to this handler faults
        call debug_print
        cli
        hlt

; ESI: zero-terminated text for the debug console.
debug_print:
        push eax
        push edx
        mov dx, DEBUG_PORT
.next:  lodsb
        test al, al
        jz .done
        out dx, al
        jmp .next
.done:  pop edx
        pop eax
        ret

msg_pm:    db 'triple-fault: in protected mode, building the IDT', 10, 0
msg_idt:   db 'triple-fault: IDT loaded, boot-time code segment retired', 10, 0
msg_done:  db 'triple-fault: not reached', 10, 0
msg_fault: db 'triple-fault: exception handled', 10, 0

total_sectors: dd 2880
file_count:    dd 0

align 8
gdt:    dq 0                          ; #GDT_BASE
        dw 0xffff, 0x0000             ; BOOT_CS 0x08: base 0, limit 4 GiB, 32-bit code, DPL 0
        db 0x00, 0x9a, 0xcf, 0x00
        dw 0xffff, 0x0000             ; DATA_SEL 0x10: base 0, limit 4 GiB, writable data, DPL 0
        db 0x00, 0x92, 0xcf, 0x00
        dw 0xffff, 0x0000             ; CODE_SEL 0x18: as BOOT_CS
        db 0x00, 0x9a, 0xcf, 0x00
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd gdt
idt_desc:
        dw 32 * 8 - 1
        dd idt

        times 510 - ($ - $$) db 0
        dw 0xaa55

idt     equ 0x1000                    ; 32 gates (256 bytes) in free low memory
