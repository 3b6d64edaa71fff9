/* c-loader: what the stages share. */
struct boot_info {
  unsigned char drive;
  unsigned short mbr_sum;
  int stage;
};

extern struct boot_info info;
extern volatile unsigned short counter;
extern unsigned char boot_drive;

void enter_pm(void) __attribute__((noreturn));
