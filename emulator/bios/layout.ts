// Where the BIOS keeps things: BIOS data area offsets (segment 0040h), the EBDA, and the fixed entry
// points in segment F000 that IBM PC/AT BIOSes use (and that SeaBIOS keeps), so software that jumps
// to them or scans the ROM finds what it expects. Pure TypeScript: no Node or VS Code imports.
// IBM PC/AT Technical Reference (BIOS listing entry points, BDA); Ralf Brown's list, MEMORY.LST.

export const BIOS_SEGMENT = 0xf000;
export const ROM_BASE = 0xf0000;
export const ROM_SIZE = 0x10000;

/** Conventional memory the BIOS reports (INT 12h): 639 KiB, the last KiB below 640 KiB is the EBDA. */
export const BASE_MEMORY_KIB = 639;
export const EBDA_SEGMENT = 0x9fc0;
export const EBDA_KIB = 1;

/**
 * Boot register state: what SeaBIOS 1.16 under QEMU leaves at 0000:7C00 (measured with host/qemu.ts's
 * logging): SP 6F04h for a floppy or hard disk, 6F3Ch for a CD (its boot runs from a shallower frame;
 * the same in every El Torito mode, and under --firmware seabios).
 */
export const BOOT_SP = 0x6f04, BOOT_SP_CDROM = 0x6f3c;

// BIOS data area, as linear addresses (segment 0040h).
export const BDA = 0x400;
export const BDA_COM1 = 0x400;
export const BDA_EBDA_SEG = 0x40e;
export const BDA_EQUIPMENT = 0x410;
export const BDA_MEMORY_KIB = 0x413;
export const BDA_KB_FLAGS = 0x417;
export const BDA_KB_FLAGS2 = 0x418;
export const BDA_KB_HEAD = 0x41a;
export const BDA_KB_TAIL = 0x41c;
export const BDA_FLOPPY_RECAL = 0x43e;
export const BDA_FLOPPY_MOTOR = 0x43f;
export const BDA_FLOPPY_MOTOR_TIMEOUT = 0x440;
export const BDA_FLOPPY_STATUS = 0x441;
export const BDA_VIDEO_MODE = 0x449;
export const BDA_VIDEO_COLS = 0x44a;
export const BDA_VIDEO_PAGE_SIZE = 0x44c;
export const BDA_VIDEO_PAGE_START = 0x44e;
export const BDA_CURSOR_POS = 0x450;
export const BDA_CURSOR_SHAPE = 0x460;
export const BDA_VIDEO_PAGE = 0x462;
export const BDA_CRTC_PORT = 0x463;
export const BDA_VIDEO_MODE_CTL = 0x465;
export const BDA_VIDEO_PALETTE = 0x466;
export const BDA_TICKS = 0x46c;
export const BDA_MIDNIGHT = 0x470;
export const BDA_BREAK = 0x471;
export const BDA_RESET_FLAG = 0x472;
export const BDA_HD_STATUS = 0x474;
export const BDA_HD_COUNT = 0x475;
export const BDA_KB_BUF_START = 0x480;
export const BDA_KB_BUF_END = 0x482;
export const BDA_VIDEO_ROWS = 0x484;
export const BDA_CHAR_HEIGHT = 0x485;
export const BDA_VIDEO_CTL = 0x487;
export const BDA_VIDEO_SWITCHES = 0x488;
export const BDA_VGA_FLAGS = 0x489;
export const BDA_VGA_DCC = 0x48a;
export const BDA_KB_MODE = 0x496;
export const BDA_KB_LEDS = 0x497;

/** The keyboard buffer as offsets from segment 0040h (16 words). */
export const KB_BUF_FIRST = 0x1e;
export const KB_BUF_LAST = 0x3e;

/** Ticks per day of the 18.2 Hz timer (IBM value 1800B0h): INT 08h wraps there and sets the midnight flag. */
export const TICKS_PER_DAY = 0x1800b0;

// Fixed entry points in segment F000 (IBM PC/AT compatibility offsets).
export const ENTRY_POST = 0xe05b;
export const ENTRY_NMI = 0xe2c3;
export const ENTRY_INT13_FLOPPY = 0xe3fe;
export const ENTRY_HD_PARAMS = 0xe401;
export const ENTRY_INT19 = 0xe6f2;
export const CONFIG_TABLE = 0xe6f5;
export const ENTRY_INT14 = 0xe739;
export const ENTRY_INT16 = 0xe82e;
export const ENTRY_INT09 = 0xe987;
export const ENTRY_INT13 = 0xec59;
export const ENTRY_INT0E = 0xef57;
export const DISKETTE_PARAMS = 0xefc7;
export const ENTRY_INT17 = 0xefd2;
export const ENTRY_INT10 = 0xf065;
export const VIDEO_PARAMS = 0xf0a4;
/** The IBM PC's 8x8 graphics font for characters 00h–7Fh (the upper half is at INT 1Fh). */
export const FONT_8X8_LOW = 0xfa6e;
export const ENTRY_INT12 = 0xf841;
export const ENTRY_INT11 = 0xf84d;
export const ENTRY_INT15 = 0xf859;
export const ENTRY_INT1A = 0xfe6e;
export const ENTRY_INT08 = 0xfea5;
export const ENTRY_IRET = 0xff53;
export const ENTRY_INT05 = 0xff54;
export const RESET_VECTOR = 0xfff0;
export const ROM_DATE = 0xfff5;
export const MODEL_BYTE = 0xfffe;

// Entry points of our own (no IBM-fixed address): default IRQ handlers, INT 18h, INT 70h.
export const ENTRY_IRQ_MASTER = 0xff00;
export const ENTRY_IRQ_SLAVE = 0xff10;
export const ENTRY_INT70 = 0xff20;
export const ENTRY_INT18 = 0xff30;
export const ENTRY_UNHANDLED = 0xff40;
/** The APM 32-bit protected-mode entry (rom.ts APM32_CODE), in the free space after the POST stub. */
export const ENTRY_APM32 = 0xe100;
/** The VBE mode list and strings 4F00h points at (vbe.ts vbeRomData), after the APM entry. */
export const VBE_DATA = 0xe140;

// The ROM font (romFont.ts) in free space below the SMBIOS tables: whole 256-glyph tables, as INT 10h
// AX=1130h hands them out, and an empty alternate-glyph list (a 00h terminator) for BH=05h/07h.
export const FONT_8X16 = 0x8000;
export const FONT_8X14 = 0x9000;
export const FONT_8X8 = 0x9e00;
export const FONT_ALT = 0xa600;

/** The trap opcode: 0F 37 nn (GETSEC on later CPUs, undefined on the 80386), honoured only inside the ROM. */
export const TRAP_OPCODE = [0x0f, 0x37] as const;
