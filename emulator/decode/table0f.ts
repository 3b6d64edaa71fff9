// The two-byte opcode map (0F xx) as declarative rows: 286 system instructions, the 386 integer
// extensions and the later integer instructions boot code uses (SDM Vol. 2 Appendix A, Table ).
// Pure data: no Node or VS Code imports. Opcodes are written 0x0F00|byte; see table.ts for the columns.
import { CC, makeRow, type OpRow, type RowDef } from './table';

const ZREG = [0, 1, 2, 3, 4, 5, 6, 7];
const BT = ['bt', 'bts', 'btr', 'btc'] as const;

// prettier-ignore
const TWO_BYTE: RowDef[] = [
  // opcode  sel     mnemonic     operands     handler           model    tags
  [0x0f00,   '/0',   'sldt',      'Rv/Mw',     'sldt_Ew',        '80286', 'nosz'],  // real mode: #UD
  [0x0f00,   '/1',   'str',       'Rv/Mw',     'str_Ew',         '80286', 'nosz'],
  [0x0f00,   '/2',   'lldt',      'Ew',        'lldt_Ew',        '80286', 'nosz'],
  [0x0f00,   '/3',   'ltr',       'Ew',        'ltr_Ew',         '80286', 'nosz'],
  [0x0f00,   '/4',   'verr',      'Ew',        'verr_Ew',        '80286', 'nosz'],
  [0x0f00,   '/5',   'verw',      'Ew',        'verw_Ew',        '80286', 'nosz'],
  [0x0f01,   '/0m',  'sgdt',      'Ms',        'sgdt_Ms',        '80286'],
  [0x0f01,   '/1m',  'sidt',      'Ms',        'sidt_Ms',        '80286'],
  [0x0f01,   '/2m',  'lgdt',      'Ms',        'lgdt_Ms',        '80286'],
  [0x0f01,   '/3m',  'lidt',      'Ms',        'lidt_Ms',        '80286'],
  [0x0f01,   '/0=1', 'vmcall',    '',          'vmcall',         '586'],            // VMX (later than 586; grouped here)
  [0x0f01,   '/0=2', 'vmlaunch',  '',          'vmlaunch',       '586'],
  [0x0f01,   '/0=3', 'vmresume',  '',          'vmresume',       '586'],
  [0x0f01,   '/0=4', 'vmxoff',    '',          'vmxoff',         '586'],
  [0x0f01,   '/1=0', 'monitor',   '',          'monitor',        '586'],
  [0x0f01,   '/1=1', 'mwait',     '',          'mwait',          '586'],
  [0x0f01,   '/2=0', 'xgetbv',    '',          'xgetbv',         '586'],
  [0x0f01,   '/2=1', 'xsetbv',    '',          'xsetbv',         '586'],
  [0x0f01,   '/4',   'smsw',      'Rv/Mw',     'smsw_Ew',        '80286', 'nosz'],  // register form: operand size
  [0x0f01,   '/6',   'lmsw',      'Ew',        'lmsw_Ew',        '80286', 'nosz'],
  [0x0f01,   '/7m',  'invlpg',    'Mb',        'invlpg_Mb',      '486',   'nosz'],
  [0x0f01,   '/7=1', 'rdtscp',    '',          'rdtscp',         '586'],
  [0x0f02,   '',     'lar',       'Gv,Ew',     'lar_Gv_Ew',      '80286'],          // real mode: #UD
  [0x0f03,   '',     'lsl',       'Gv,Ew',     'lsl_Gv_Ew',      '80286'],
  [0x0f06,   '',     'clts',      '',          'clts',           '80286'],
  [0x0f08,   '',     'invd',      '',          'invd',           '486'],
  [0x0f09,   '',     'wbinvd',    '',          'wbinvd',         '486'],
  [0x0f0b,   '',     'ud2',       '',          'ud2',            '586'],            // always #UD (P6 name; any model)
  [0x0f1f,   '/0',   'nop',       'Ev',        'nop_Ev',         '586',   'sz'],   // multi-byte NOP (P6)
  [0x0f20,   '',     'mov',       'Rd,Cd',     'mov_Rd_Cd',      '80386'],          // mod bits ignored: always a register
  [0x0f21,   '',     'mov',       'Rd,Dd',     'mov_Rd_Dd',      '80386'],
  [0x0f22,   '',     'mov',       'Cd,Rd',     'mov_Cd_Rd',      '80386'],
  [0x0f23,   '',     'mov',       'Dd,Rd',     'mov_Dd_Rd',      '80386'],
  [0x0f24,   '',     'mov',       'Rd,Td',     'mov_Rd_Td',      '80386'],          // 386/486 test registers; P5+: #UD
  [0x0f26,   '',     'mov',       'Td,Rd',     'mov_Td_Rd',      '80386'],
  [0x0f30,   '',     'wrmsr',     '',          'wrmsr',          '586'],
  [0x0f31,   '',     'rdtsc',     '',          'rdtsc',          '586'],
  [0x0f32,   '',     'rdmsr',     '',          'rdmsr',          '586'],
  [0x0f33,   '',     'rdpmc',     '',          'rdpmc',          '586'],
  [0x0f34,   '',     'sysenter',  '',          'sysenter',       '586'],
  [0x0f35,   '',     'sysexit',   '',          'sysexit',        '586'],
  ...CC.map((c, i): RowDef => [0x0f40 + i, '', `cmov${c}`, 'Gv,Ev', `cmov${c}_Gv_Ev`, '586']),  // P6; grouped with 586
  [0x0f78,   '',     'vmread',    'Ed,Gd',     'vmread_Ed_Gd',   '586',   'sz'],
  [0x0f79,   '',     'vmwrite',   'Gd,Ed',     'vmwrite_Gd_Ed',  '586',   'sz'],
  ...CC.map((c, i): RowDef => [0x0f80 + i, '', `j${c}`, 'Jz', `j${c}_Jz`, '80386', 'jcc near']),
  ...CC.map((c, i): RowDef => [0x0f90 + i, '', `set${c}`, 'Eb', `set${c}_Eb`, '80386', 'nosz']),
  [0x0fa0,   '',     'push',      'FS',        'push_FS',        '80386'],
  [0x0fa1,   '',     'pop',       'FS',        'pop_FS',         '80386'],
  [0x0fa2,   '',     'cpuid',     '',          'cpuid',          '586'],            // also late 486 steppings
  [0x0fa3,   '',     'bt',        'Ev,Gv',     'bt_Ev_Gv',       '80386'],
  [0x0fa4,   '',     'shld',      'Ev,Gv,Ib',  'shld_Ev_Gv_Ib',  '80386'],
  [0x0fa5,   '',     'shld',      'Ev,Gv,CL',  'shld_Ev_Gv_CL',  '80386'],
  [0x0fa8,   '',     'push',      'GS',        'push_GS',        '80386'],
  [0x0fa9,   '',     'pop',       'GS',        'pop_GS',         '80386'],
  [0x0faa,   '',     'rsm',       '',          'rsm',            '586'],
  [0x0fab,   '',     'bts',       'Ev,Gv',     'bts_Ev_Gv',      '80386'],
  [0x0fac,   '',     'shrd',      'Ev,Gv,Ib',  'shrd_Ev_Gv_Ib',  '80386'],
  [0x0fad,   '',     'shrd',      'Ev,Gv,CL',  'shrd_Ev_Gv_CL',  '80386'],
  [0x0faf,   '',     'imul',      'Gv,Ev',     'imul_Gv_Ev',     '80386'],
  [0x0fb0,   '',     'cmpxchg',   'Eb,Gb',     'cmpxchg_Eb_Gb',  '486'],
  [0x0fb1,   '',     'cmpxchg',   'Ev,Gv',     'cmpxchg_Ev_Gv',  '486'],
  [0x0fb2,   '/m',   'lss',       'Gv,Mp',     'lss_Gv_Mp',      '80386'],
  [0x0fb3,   '',     'btr',       'Ev,Gv',     'btr_Ev_Gv',      '80386'],
  [0x0fb4,   '/m',   'lfs',       'Gv,Mp',     'lfs_Gv_Mp',      '80386'],
  [0x0fb5,   '/m',   'lgs',       'Gv,Mp',     'lgs_Gv_Mp',      '80386'],
  [0x0fb6,   '',     'movzx',     'Gv,Eb',     'movzx_Gv_Eb',    '80386'],
  [0x0fb7,   '',     'movzx',     'Gv,Ew',     'movzx_Gv_Ew',    '80386'],
  ...BT.map((mn, i): RowDef => [0x0fba, `/${4 + i}`, mn, 'Ev,Ib', `${mn}_Ev_Ib`, '80386', 'sz']),
  [0x0fbb,   '',     'btc',       'Ev,Gv',     'btc_Ev_Gv',      '80386'],
  [0x0fbc,   '',     'bsf',       'Gv,Ev',     'bsf_Gv_Ev',      '80386'],
  [0x0fbd,   '',     'bsr',       'Gv,Ev',     'bsr_Gv_Ev',      '80386'],
  [0x0fbe,   '',     'movsx',     'Gv,Eb',     'movsx_Gv_Eb',    '80386'],
  [0x0fbf,   '',     'movsx',     'Gv,Ew',     'movsx_Gv_Ew',    '80386'],
  [0x0fc0,   '',     'xadd',      'Eb,Gb',     'xadd_Eb_Gb',     '486'],
  [0x0fc1,   '',     'xadd',      'Ev,Gv',     'xadd_Ev_Gv',     '486'],
  [0x0fc7,   '/1m',  'cmpxchg8b', 'Mq',        'cmpxchg8b_Mq',   '586',   'sz'],
  [0x0fc7,   '/6m',  'vmclear',   'Mq',        'vmclear_Mq',     '586',   'nosz p66'],
  [0x0fc7,   '/6m',  'vmxon',     'Mq',        'vmxon_Mq',       '586',   'nosz pF3'],
  [0x0fc7,   '/6m',  'vmptrld',   'Mq',        'vmptrld_Mq',     '586',   'nosz'],
  [0x0fc7,   '/7m',  'vmptrst',   'Mq',        'vmptrst_Mq',     '586',   'nosz'],
  ...ZREG.map((r): RowDef => [0x0fc8 + r, '', 'bswap', 'Zv', 'bswap_Zv', '486']),  // 16-bit operand: undefined result
];

export const TWO_BYTE_ROWS: readonly OpRow[] = TWO_BYTE.map(makeRow);
