; bench.asm -- 512-byte boot-sector CPU benchmark (NASM)
;
; Build variants (test/bench/benchAsm.ts lists the layouts `npm run bench` builds):
;   nasm -f bin bench.asm -o rm.bin                 ; real mode loop
;   nasm -f bin -DPM bench.asm -o pm.bin            ; 16-bit protected mode loop
;   nasm -f bin -DPM32 bench.asm -o f32.bin         ; 32-bit flat protected mode loop
;                                                   ; (the same loop with 32-bit registers)
;   -DPAGING (with -DPM or -DPM32): paging on, the first 1 MiB identity-mapped
;              with 4 KiB pages (page directory at 0x2000, page table at 0x3000)
;   -DQUICK: exits right after the mode switch (start-up cost of a layout)
;   -DSEPDATA: variables at 0x9000 and stack at 0xF000 instead of inside /
;              just below the boot sector (default = classic MBR layout where
;              every store of the loop lands in the 4K page 0x7000 that holds
;              the code; JITs (QEMU TCG, v86, unicorn) pay for SMC detection)
;   -DOUTER=n -DINNER=m to change the trip counts (INNER <= 65535)
;
; Interrupts stay disabled (cli) for the whole run so that no BIOS timer
; handler adds instructions: the dynamic count is exact.
;
; ---------------------------------------------------------------------------
; Dynamic instruction count (a REP-prefixed string instruction counts as ONE
; instruction, as in hardware "instructions retired"; the element counts are
; given separately).
;
;   body (label `body` .. `jnz body`)      = 44 instructions per iteration
;        + 8 movsb elements + 4 stosw elements per iteration (12 REP elements)
;   per outer iteration overhead           = 3  (mov [inner_cnt] / dec / jnz)
;   setup, real mode  (cli .. jmp far)     = 7, then 2 (mov [farptr+2], mov [segsel])
;   setup, PM extra   (lgdt..mov ss)       = 10 (lgdt,mov eax cr0,or,mov cr0,jmp,mov ax,mov ds,mov es,mov ss)
;                                            (+1 with PM32: mov esp)
;   setup, PAGING extra                    = 11 + 3*256 (page tables, CR3; the fill loop)
;   setup, SEPDATA extra                   = 1 (mov [farptr],far_target)
;   outer_cnt init                         = 1
;
;   LOOP instructions = OUTER * (3 + 44*INNER)
;   default OUTER=150, INNER=50000 -> 150 * (3 + 2,200,000) = 330,000,450
;   plus 12*7,500,000 = 90,000,000 REP element iterations
;   If a tool counts every REP element as an instruction the total is
;   OUTER*(3 + 54*INNER) = 405,000,450 (each REP insn = its element count,
;   44 - 2 + 12 = 54 per iteration).
;
;   Fixed overhead (setup + exit) < 60 instructions (< 900 with PAGING) ->
;   ignored (and cancelled anyway by subtracting the QUICK image's time).
;
; Completion signal (done:), in order:
;   out 0xE9,'D'        Bochs port-E9 hack / QEMU debugcon
;   out 0x3F8,'D'       COM1 THR -> v86 "serial0-output-byte", QEMU serial
;   out 0xF4,0          QEMU isa-debug-exit (exit status (0<<1)|1 = 1)
;   outsb "Shutdown" -> port 0x8900   Bochs shutdown port (panic->quit)
;   cli; hlt; jmp $     everybody else (unicorn stops at `done`)
; ---------------------------------------------------------------------------

        bits 16
        org 0x7c00

%ifndef OUTER
%define OUTER 150
%endif
%ifndef INNER
%define INNER 50000
%endif
%ifdef PM32
%define PM
%endif
%ifdef PAGING
%ifndef PM
%error "PAGING needs PM or PM32"
%endif
%endif

; The loop's registers and memory operands: 16-bit, or 32-bit in the flat layout.
%ifdef PM32
%define rAX eax
%define rBX ebx
%define rCX ecx
%define rDX edx
%define rSI esi
%define rDI edi
%define SZ dword
%define OFFSZ 4                         ; far pointer m16:32
%else
%define rAX ax
%define rBX bx
%define rCX cx
%define rDX dx
%define rSI si
%define rDI di
%define SZ word
%define OFFSZ 2                         ; far pointer m16:16
%endif

SRC     equ 0x8000
DST     equ 0x8100
BUF2    equ 0x8200
PD      equ 0x2000                      ; page directory (PAGING)
PT      equ 0x3000                      ; page table for 0..1 MiB (PAGING)
%ifdef SEPDATA
STACK   equ 0xf000                      ; stack in page 0xE000, not the code page
%else
STACK   equ 0x7c00                      ; classic MBR stack: same 4K page as code
%endif

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, STACK
        jmp 0x0000:init                 ; far jump: normalise CS:IP
init:
%ifdef SEPDATA
        mov SZ [farptr], far_target     ; variables live at 0x9000 (own page)
%endif
%ifdef PAGING
        cld
        mov di, PD                      ; clear the page directory and the table
        xor eax, eax
        mov cx, 2048
        rep stosd
        mov di, PT                      ; identity-map 0..1 MiB, present + writable
        mov eax, 3
        mov cx, 256
.pt:    stosd
        add eax, 0x1000
        loop .pt
        mov dword [PD], PT + 3
        mov eax, PD
        mov cr3, eax
%endif
%ifdef PM
        lgdt [gdt_desc]
        mov eax, cr0
%ifdef PAGING
        or eax, 0x80000001              ; CR0.PG and CR0.PE at once
%else
        or al, 1
%endif
        mov cr0, eax
%ifdef PM32
        jmp 0x18:pm_entry               ; 32-bit code selector, base 0, limit 4G
        bits 32
pm_entry:
        mov ax, 0x20                    ; 32-bit data selector, base 0, limit 4G
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, STACK
        mov word [farptr+OFFSZ], 0x18
        mov SZ [segsel], 0x20
%else
        jmp 0x08:pm_entry               ; 16-bit code selector, base 0
pm_entry:
        mov ax, 0x10                    ; 16-bit data selector, base 0, limit 64K
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov word [farptr+OFFSZ], 0x08
        mov SZ [segsel], 0x10
%endif
%else
        mov word [farptr+OFFSZ], 0
        mov SZ [segsel], 0
%endif
%ifdef QUICK
        jmp done
%endif
        mov SZ [outer_cnt], OUTER
outer:
        mov SZ [inner_cnt], INNER
body:
        mov rSI, SRC                    ;  1
        mov rDI, DST                    ;  2
        mov rCX, 8                      ;  3
        cld                             ;  4
        rep movsb                       ;  5  (8 elements) DS:SI -> ES:DI
        mov rDI, BUF2                   ;  6
        mov rAX, rBX                    ;  7
        mov rCX, 4                      ;  8
        rep stosw                       ;  9  (4 elements) AX -> ES:DI
        lodsb                           ; 10  DS:SI
        stosb                           ; 11  ES:DI
        mov rBX, [rSI]                  ; 12  load
        add rBX, rAX                    ; 13
        xor rBX, 0x5a5a                 ; 14
        mov [rDI], rBX                  ; 15  store
        call sub1                       ; 16  (+6 inside sub1 = 22)
        push rAX                        ; 23
        push rBX                        ; 24
        pop rAX                         ; 25
        pop rBX                         ; 26
        mov rCX, 3                      ; 27
.l:     add rAX, rCX                    ; 28,30,32
        loop .l                         ; 29,31,33 (taken, taken, not taken)
        cmp rSI, SRC+9                  ; 34  always equal
        jne bad                         ; 35  never taken
        cmp rDI, BUF2+9                 ; 36  always equal
        je .ok                          ; 37  always taken
        jmp bad
.ok:    mov rAX, [segsel]               ; 38
        mov es, rAX                     ; 39  segment load (descriptor load in PM)
        push ds                         ; 40
        pop es                          ; 41  segment load
        jmp far [farptr]                ; 42  far jump (reloads CS)
far_target:
        dec SZ [inner_cnt]              ; 43  read-modify-write memory
        jnz body                        ; 44
        dec SZ [outer_cnt]
        jnz outer

done:
        mov al, 'D'
        out 0xe9, al
        mov dx, 0x3f8
        out dx, al
        xor al, al
        out 0xf4, al                    ; QEMU isa-debug-exit
        mov dx, 0x8900                  ; Bochs shutdown port
        mov rSI, shutdown_str
        mov rCX, 8
        rep outsb
        cli
halt:   hlt
        jmp halt

bad:
        mov al, 'X'
        out 0xe9, al
        mov dx, 0x3f8
        out dx, al
        mov al, 1
        out 0xf4, al                    ; QEMU exit status 3 = failure
        jmp done

sub1:
        push rBX                        ; 17
        shl rBX, 1                      ; 18
        adc rDX, rBX                    ; 19
        and rDX, 0x7fff                 ; 20
        pop rBX                         ; 21
        ret                             ; 22

shutdown_str: db "Shutdown"

%ifdef SEPDATA
farptr     equ 0x9000
segsel     equ 0x9008
outer_cnt  equ 0x900c
inner_cnt  equ 0x9010
%else
        align 4                         ; variables inside the boot sector
farptr:    dd far_target, 0             ; (same 4K page as the code: every
segsel:    dd 0                         ;  store hits a page holding JIT code)
outer_cnt: dd 0
inner_cnt: dd 0
%endif

        align 8
gdt:       dq 0
           ; 0x08: 16-bit code, base 0, limit 0xFFFF, present, DPL0, exec/read
           dw 0xffff, 0x0000
           db 0x00, 0x9a, 0x00, 0x00
           ; 0x10: 16-bit data, base 0, limit 0xFFFF, present, DPL0, read/write
           dw 0xffff, 0x0000
           db 0x00, 0x92, 0x00, 0x00
           ; 0x18: 32-bit code, base 0, limit 4G (G=1, D=1), present, DPL0, exec/read
           dw 0xffff, 0x0000
           db 0x00, 0x9a, 0xcf, 0x00
           ; 0x20: 32-bit data, base 0, limit 4G (G=1, B=1), present, DPL0, read/write
           dw 0xffff, 0x0000
           db 0x00, 0x92, 0xcf, 0x00
gdt_end:
gdt_desc:  dw gdt_end - gdt - 1
           dd gdt

        times 510-($-$$) db 0
        dw 0xaa55
