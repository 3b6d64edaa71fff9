; stage2 — the loader's second stage at 0000:8000: E820 memory map, A20 through the 8042 and through port 0x92,
; 16-bit protected mode with an LDT and a TSS (LLDT, LTR), 32-bit protected mode with paging, then back to real mode
; with 4 GiB limits left in the data-segment caches ("unreal mode"), where it calls the BIOS again. Every step
; reports on port 0xE9 and COM1 (io16.inc); the last ones also on the screen through INT 10h.
bits 16
org 0x8000

E820_BUF   equ 0x9000                ; 24-byte entries
PAGE_DIR   equ 0x20000
PAGE_TABLE equ 0x21000
HIGH_ALIAS equ 0xc0000000            ; mapped onto the first 4 MiB as well: proves paging is on
PATTERN    equ 0x1badb002

stage2:
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov [drive], dl
        mov si, msg_stage2
        call puts                     ; #STAGE2

; ---- E820: the memory map every protected-mode kernel wants --------------------------------------------------
        xor ebx, ebx                  ; continuation value: 0 = first entry
        mov di, E820_BUF
        xor bp, bp                    ; entries
.e820:  mov eax, 0xe820
        mov edx, 0x534d4150           ; 'SMAP'
        mov ecx, 24
        int 0x15
        jc .e820_done                 ; CF after the last entry is also "done" on some BIOSes
        cmp eax, 0x534d4150
        jne .e820_done
        inc bp
        add di, 24
        test ebx, ebx
        jnz .e820
.e820_done:
        mov si, msg_e820
        call puts
        mov ax, bp
        call puthex16
        mov al, 10
        call putc

; ---- A20: each gate on its own. Loaders that cannot trust the BIOS try the 8042 (AT) and port 0x92 (PS/2). -----
        call a20_kbc_off
        call a20_fast_off
        call a20_test                 ; both gates closed: 1 MiB wraps to 0
        jz .a20_stuck
        call a20_kbc_on               ; #A20_KBC
        call a20_test
        jnz .a20_stuck
        mov si, msg_a20_kbc
        call puts
        call a20_kbc_off
        call a20_fast_on              ; #A20_FAST
        call a20_test
        jnz .a20_stuck
        mov si, msg_a20_fast
        call puts
        call a20_kbc_on               ; leave both open, as a loader would
        jmp pm16_enter
.a20_stuck:
        mov si, msg_a20_bad
        call puts
        cli
        hlt

; ZF=1 when A20 is on: a word at 0000:0500 and its alias FFFF:0510 (1 MiB higher) must differ after writing one.
a20_test:
        push ds
        push es
        xor ax, ax
        mov ds, ax
        mov ax, 0xffff
        mov es, ax
        mov word [0x500], 0x1234
        mov word [es:0x510], 0xabcd
        cmp word [0x500], 0x1234      ; overwritten through the alias iff A20 is off
        pop es
        pop ds
        ret

kbc_wait_in:                          ; until the 8042 can take a byte (status bit 1 clear)
        in al, 0x64
        test al, 2
        jnz kbc_wait_in
        ret
a20_kbc_write:                        ; AH = new output port value
        call kbc_wait_in
        mov al, 0xd1                  ; "write output port"
        out 0x64, al
        call kbc_wait_in
        mov al, ah
        out 0x60, al
        call kbc_wait_in
        ret
a20_kbc_on:
        mov ah, 0xdf                  ; A20 (bit 1) on; bit 0 (reset) must stay 1
        jmp a20_kbc_write
a20_kbc_off:
        mov ah, 0xdd
        jmp a20_kbc_write
a20_fast_on:
        in al, 0x92
        or al, 2
        and al, 0xfe                  ; bit 0 would reset the CPU
        out 0x92, al
        ret
a20_fast_off:
        in al, 0x92
        and al, 0xfc
        out 0x92, al
        ret

; ---- 16-bit protected mode: LDT and TSS --------------------------------------------------------------------------
pm16_enter:
        cli                           ; no IDT for protected mode: interrupts stay off until real mode again
        lgdt [gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp SEL_CODE16:pm16
pm16:
        mov ax, SEL_DATA16
        mov ds, ax
        mov ss, ax
        mov ax, SEL_LDT
        lldt ax                       ; #LLDT
        mov ax, SEL_TSS
        ltr ax                        ; #LTR  marks the descriptor busy
        ; The LDT's only descriptor covers the BIOS data area: ES = LDT selector 0 (TI = 1), word 13h = KiB of
        ; conventional memory, the same number INT 12h gives.
        mov ax, 0x0004
        mov es, ax
        mov si, msg_pm16
        call puts
        mov ax, [es:0x13]
        call puthex16
        test byte [gdt + SEL_TSS + 5], 2      ; busy bit of the TSS type
        mov si, msg_tss_busy
        jnz .busy
        mov si, msg_tss_free
.busy:  call puts

        jmp SEL_CODE32:pm32

; ---- 32-bit protected mode with paging -----------------------------------------------------------------------
bits 32
pm32:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7c00
        ; One page table mapping the first 4 MiB, used twice: at 0 (identity, so this code keeps running) and at
        ; HIGH_ALIAS.
        mov edi, PAGE_TABLE
        mov eax, 0x003                ; present, writable
        mov ecx, 1024
.pte:   stosd
        add eax, 0x1000
        loop .pte
        mov edi, PAGE_DIR
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PAGE_DIR], PAGE_TABLE | 3
        mov dword [PAGE_DIR + (HIGH_ALIAS >> 22) * 4], PAGE_TABLE | 3
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax                  ; #PAGING_ON
        mov dword [HIGH_ALIAS + E820_BUF + 0x400], PATTERN
        cmp dword [E820_BUF + 0x400], PATTERN
        jne .no_alias
        mov esi, msg_pm32
        jmp .report
.no_alias:
        mov esi, msg_pm32_bad
.report:
        call puts32
        ; Paging off, then the segments real mode will inherit: 4 GiB data segments in DS/ES/FS/GS, a 64 KiB one
        ; in SS (a real-mode stack), and a 16-bit code segment to clear PE from.
        mov eax, cr0
        and eax, 0x7fffffff
        mov cr0, eax
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ax, SEL_DATA16
        mov ss, ax
        jmp SEL_CODE16:pm16_back

puts32:                               ; DS:ESI, same ports as io16.inc
        lodsb
        test al, al
        jz .done
        out DEBUG_PORT, al
        mov dx, COM1 + 5
        mov ah, al
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov al, ah
        mov dx, COM1
        out dx, al
        jmp puts32
.done:  ret

bits 16
pm16_back:
        mov eax, cr0
        and al, 0xfe
        mov cr0, eax                  ; #PE_OFF  real mode, but CS/DS/ES/FS/GS still hold protected-mode caches
        jmp 0:real_again

; ---- real mode again, with the protected-mode limits still cached --------------------------------------------
real_again:
        xor ax, ax
        mov ss, ax                    ; loading a selector in real mode sets the base, not the limit
        mov sp, 0x7c00
        mov ds, ax
        mov es, ax
        sti
        mov esi, 0x00100000           ; #UNREAL  above 1 MiB with a 32-bit offset: only a 4 GiB DS limit allows it
        mov dword [esi], PATTERN
        cmp dword [esi], PATTERN
        jne .not_unreal
        mov si, msg_unreal
        call puts
        ; The BIOS still works: its real-mode code does not care about the larger limits.
        mov si, msg_screen
        call print_bios               ; #BIOS_AGAIN
        mov si, msg_int12
        call puts
        int 0x12
        call puthex16
        mov si, msg_done
        call puts
        jmp .halt
.not_unreal:
        mov si, msg_unreal_bad
        call puts
.halt:  cli
        hlt
        jmp .halt

; INT 10h teletype of DS:SI.
print_bios:
        pusha
.next:  lodsb
        test al, al
        jz .done
        mov ah, 0x0e
        mov bx, 0x0007
        int 0x10
        jmp .next
.done:  popa
        ret

%include "io16.inc"

; ---- descriptor tables --------------------------------------------------------------------------------------------
SEL_CODE16 equ 0x08
SEL_DATA16 equ 0x10
SEL_LDT    equ 0x18
SEL_TSS    equ 0x20
SEL_CODE32 equ 0x28
SEL_DATA32 equ 0x30

align 8
gdt:    dq 0
        dq 0x00009a000000ffff         ; 0x08 code, 16-bit, base 0, 64 KiB
        dq 0x000092000000ffff         ; 0x10 data, 16-bit, base 0, 64 KiB
        dw ldt_end - ldt - 1, ldt     ; 0x18 LDT (type 2)
        db 0, 0x82, 0, 0
        dw 0x2b, tss                  ; 0x20 16-bit (286) TSS, available (type 1)
        db 0, 0x81, 0, 0
        dq 0x00cf9a000000ffff         ; 0x28 code, 32-bit, flat 4 GiB
        dq 0x00cf92000000ffff         ; 0x30 data, 32-bit, flat 4 GiB
gdt_desc:
        dw gdt_desc - gdt - 1
        dd gdt

align 8
ldt:    dw 0xffff, 0x0400             ; 0x04: data over the BIOS data area (base 0x400, 64 KiB)
        db 0, 0x92, 0, 0
ldt_end:

tss:    times 0x2c db 0               ; 286 TSS: nothing is switched to, LTR only needs a valid descriptor

drive:         db 0
msg_stage2:    db 'stage2: running at 0000:8000', 10, 0
msg_e820:      db 'stage2: E820 entries: ', 0
msg_a20_kbc:   db 'stage2: A20 on through the 8042', 10, 0
msg_a20_fast:  db 'stage2: A20 on through port 92h', 10, 0
msg_a20_bad:   db 'stage2: A20 gate does not move', 10, 0
msg_pm16:      db 'pm16: LDT data segment over the BDA, KiB = 0x', 0
msg_tss_busy:  db ', TSS busy after LTR', 10, 0
msg_tss_free:  db ', TSS not marked busy', 10, 0
msg_pm32:      db 'pm32: paging on, C0000000 aliases 0', 10, 0
msg_pm32_bad:  db 'pm32: paging alias failed', 10, 0
msg_unreal:    db 'real: DS limit still 4 GiB, wrote above 1 MiB', 10, 0
msg_unreal_bad: db 'real: unreal mode did not stick', 10, 0
msg_screen:    db 'Back in real mode; the BIOS still answers.', 13, 10, 0
msg_int12:     db 'real: INT 12h says 0x', 0
msg_done:      db ' KiB; loader done', 10, 0
