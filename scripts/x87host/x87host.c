/* Runs one x87 instruction per input line on this machine's FPU and prints the results, for
 * scripts/x87vectors.mjs. Input: "OP CW A B" (A, B: 20 hex digits, sign/exponent first, or a
 * memory image in hex for loads). Output: the same line plus " -> SW R0 R1" (R1 "-" when the
 * instruction leaves one result). ST0 = A and ST1 = B before the instruction. x86 only. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

typedef struct { uint64_t m; uint16_t se; } __attribute__((packed)) f80;

static f80 parse80(const char *h) {
  f80 v; char se[5]; memcpy(se, h, 4); se[4] = 0;
  v.se = (uint16_t)strtoul(se, 0, 16); v.m = strtoull(h + 4, 0, 16); return v;
}
static void print80(f80 v) { printf("%04x%016llx", v.se, (unsigned long long)v.m); }

#define PRE "fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
#define POST1 "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r0]\n\tfninit"
#define POST2 "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r0]\n\tfstpt %[r1]\n\tfninit"
#define OPS [sw] "=m"(sw), [r0] "=m"(r0), [r1] "=m"(r1) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"
#define ONE(name, insn) if (!strcmp(op, name)) { __asm__ volatile(PRE insn POST1 : OPS); two = 0; } else
#define TWO(name, insn) if (!strcmp(op, name)) { __asm__ volatile(PRE insn POST2 : OPS); two = 1; } else

int main(void) {
  char line[256], op[32], ah[64], bh[64];
  unsigned cwIn;
  while (fgets(line, sizeof line, stdin)) {
    if (sscanf(line, "%31s %x %63s %63s", op, &cwIn, ah, bh) != 4) continue;
    uint16_t cw = (uint16_t)cwIn, sw = 0;
    f80 a = parse80(ah), b = parse80(bh), r0 = {0, 0}, r1 = {0, 0};
    uint64_t mem = 0; uint8_t bcd[10]; memset(bcd, 0, 10);
    int two = 0, memOut = 0;
    ONE("add", "fadd %%st(1), %%st")
    ONE("sub", "fsub %%st(1), %%st")
    ONE("subr", "fsubr %%st(1), %%st")
    ONE("mul", "fmul %%st(1), %%st")
    ONE("div", "fdiv %%st(1), %%st")
    ONE("divr", "fdivr %%st(1), %%st")
    ONE("sqrt", "fsqrt")
    ONE("rndint", "frndint")
    ONE("scale", "fscale")
    ONE("prem", "fprem")
    ONE("prem1", "fprem1")
    TWO("xtract", "fxtract")
    ONE("sin", "fsin")
    ONE("cos", "fcos")
    TWO("sincos", "fsincos")
    TWO("ptan", "fptan")
    ONE("patan", "fpatan")
    ONE("f2xm1", "f2xm1")
    ONE("yl2x", "fyl2x")
    ONE("yl2xp1", "fyl2xp1")
    ONE("com", "fcom %%st(1)")
    ONE("ucom", "fucom %%st(1)")
    ONE("tst", "ftst")
    ONE("xam", "fxam")
    ONE("ldpi", "fldpi")
    ONE("ldl2t", "fldl2t")
    ONE("ldl2e", "fldl2e")
    ONE("ldlg2", "fldlg2")
    ONE("ldln2", "fldln2")
    {
      memOut = 1;
      if (!strcmp(op, "st32")) { uint32_t m32 = 0; __asm__ volatile(PRE "fsts %[m]\n\tfnstsw %[sw]\n\tfninit" : [sw] "=m"(sw), [m] "=m"(m32) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : "memory", "st", "st(1)"); mem = m32; }
      else if (!strcmp(op, "st64")) { __asm__ volatile(PRE "fstl %[m]\n\tfnstsw %[sw]\n\tfninit" : [sw] "=m"(sw), [m] "=m"(mem) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : "memory", "st", "st(1)"); }
      else if (!strcmp(op, "ist16")) { uint16_t m16 = 0xdead; __asm__ volatile(PRE "fists %[m]\n\tfnstsw %[sw]\n\tfninit" : [sw] "=m"(sw), [m] "=m"(m16) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : "memory", "st", "st(1)"); mem = m16; }
      else if (!strcmp(op, "ist32")) { uint32_t m32 = 0xdeadbeef; __asm__ volatile(PRE "fistl %[m]\n\tfnstsw %[sw]\n\tfninit" : [sw] "=m"(sw), [m] "=m"(m32) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : "memory", "st", "st(1)"); mem = m32; }
      else if (!strcmp(op, "ist64")) { mem = 0xdeadbeefdeadbeefULL; __asm__ volatile(PRE "fistpll %[m]\n\tfnstsw %[sw]\n\tfninit" : [sw] "=m"(sw), [m] "+m"(mem) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : "memory", "st", "st(1)"); }
      else if (!strcmp(op, "bstp")) { memOut = 2; __asm__ volatile(PRE "fbstp %[m]\n\tfnstsw %[sw]\n\tfninit" : [sw] "=m"(sw), [m] "=m"(bcd) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : "memory", "st", "st(1)"); }
      else if (!strcmp(op, "ld32") || !strcmp(op, "ld64")) {
        /* A's low 64 bits are the memory image. */
        memOut = 0; mem = a.m;
        if (op[2] == '3') { uint32_t m32 = (uint32_t)mem; __asm__ volatile("fninit\n\tfldcw %[cw]\n\tflds %[m]\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r0]\n\tfninit" : [sw] "=m"(sw), [r0] "=m"(r0) : [cw] "m"(cw), [m] "m"(m32) : "memory", "st"); }
        else { __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[m]\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r0]\n\tfninit" : [sw] "=m"(sw), [r0] "=m"(r0) : [cw] "m"(cw), [m] "m"(mem) : "memory", "st"); }
      }
      else if (!strcmp(op, "bld")) {
        memOut = 0; memcpy(bcd, &a.m, 8); memcpy(bcd + 8, &a.se, 2);
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfbld %[m]\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r0]\n\tfninit" : [sw] "=m"(sw), [r0] "=m"(r0) : [cw] "m"(cw), [m] "m"(bcd) : "memory", "st");
      }
      else { fprintf(stderr, "unknown op %s\n", op); return 2; }
    }
    line[strcspn(line, "\n")] = 0;
    printf("%s -> %04x ", line, sw);
    if (memOut == 1) printf("%016llx -", (unsigned long long)mem);
    else if (memOut == 2) { for (int i = 9; i >= 0; i--) printf("%02x", bcd[i]); printf(" -"); }
    else { print80(r0); printf(" "); if (two) print80(r1); else printf("-"); }
    printf("\n");
  }
  return 0;
}
