/* c-loader stage 2, real mode: C compiled with gcc -m16 (16-bit code with 32-bit operands and
 * addresses where C needs them). It prints to port E9h, counts, fills in a boot_info structure and
 * switches to protected mode through pm.asm. */
#include "loader.h"

struct boot_info info;
volatile unsigned short counter;

static void put(char c) {
  __asm__ volatile("outb %0, $0xe9" : : "a"(c));   /* #PUT */
}

static void puts16(const char *s) {
  while (*s)
    put(*s++);
}

static unsigned short checksum(const unsigned char *p, unsigned short n) {
  unsigned short sum = 0;
  for (unsigned short i = 0; i < n; i++)
    sum += p[i];                           /* #SUM */
  return sum;
}

void cmain16(void) {
  const char *greeting = "real mode: C says hello\n";
  puts16(greeting);                        /* #HELLO */
  counter = 1;                             /* #COUNT */
  info.drive = boot_drive;                 /* #DRIVE */
  info.mbr_sum = checksum((const unsigned char *)0x7c00, 512);
  info.stage = 16;
  enter_pm();                              /* #ENTER_PM */
}
