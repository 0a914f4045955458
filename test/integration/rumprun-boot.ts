// Boots a baked rumprun hw image under software-emulated QEMU and watches the serial console for
// `halted` (docs/rumprun.md: the guest idles after main returns), with a timeout. `-vga none`: rumprun's
// hw console writes to the VGA text screen unless the BIOS reports no display adapter, and only
// then to the serial port (platform/hw/arch/x86/cons.c); with QEMU's default VGA card the serial
// console stays silent.
import { spawn } from 'node:child_process';

export function bootAndWatch(qemu: string, kernel: string, config: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(qemu, ['-accel', 'tcg', '-m', '256', '-display', 'none', '-vga', 'none', '-serial', 'stdio', '-no-reboot', '-kernel', kernel, '-append', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const done = (): void => { clearTimeout(timer); child.kill('SIGKILL'); resolve(output); };
    const timer = setTimeout(done, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('halted')) done();
    });
    child.on('close', () => { clearTimeout(timer); resolve(output); });
  });
}
