// @tier full
// The disassembler against ndisasm over firmware images from Debian packages (seabios, ipxe-qemu), each
// walked whole in both sizes: code, data and tables, 180,000 lines (bootloaders.test.ts runs the same
// comparison over the boot loaders in the fast tier). See ndisasm.ts for the accepted divergences.
import { ndisasmFileTests } from './ndisasm';

ndisasmFileTests([
  ['/usr/share/seabios/bios.bin', 16, false],
  ['/usr/share/seabios/bios.bin', 32, false],
  ['/usr/share/seabios/vgabios-bochs-display.bin', 16, false],
  ['/usr/lib/ipxe/virtio-net.rom', 16, false],
  ['/usr/lib/ipxe/virtio-net.rom', 32, false],
], 'seabios ipxe-qemu');
