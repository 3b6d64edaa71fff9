/* c-loader stage 3, 32-bit protected mode: C compiled with gcc -m32, called by pm.asm with flat
 * segments. It finishes the boot_info structure, prints it and halts. */
#include "loader.h"

static void put(char c) {
  __asm__ volatile("outb %0, $0xe9" : : "a"(c));
}

static void puts32(const char *s) {
  while (*s)
    put(*s++);
}

static void hex16(unsigned short v) {
  for (int shift = 12; shift >= 0; shift -= 4)
    put("0123456789abcdef"[(v >> shift) & 0xf]);
}

void cmain32(void) {
  info.stage = 32;                         /* #STAGE32 */
  counter++;                               /* #COUNT32 */
  puts32("protected mode: MBR sum ");
  hex16(info.mbr_sum);
  puts32(", counter ");
  hex16(counter);
  puts32("\n");
}
