// Runs one stubforge command module from dist/ in this process, as bin/stubforge.js would once the
// command is registered in cli/main.ts: `node bench/run-command.mjs plan qemu-stubdom --arch X`.
// The benchmarks spawn it so each measured run is a fresh process, start-up included.
import { createLogger } from '../dist/src/log/logger.js';

const [name, ...args] = process.argv.slice(2);
if (name === undefined) {
  process.stderr.write('usage: node bench/run-command.mjs <command> [args...]\n');
  process.exit(2);
}
const { command } = await import(`../dist/src/cli/commands/${name}.js`);
process.exitCode = await command.run(args, {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: false,
  log: createLogger({ level: process.env.STUBFORGE_LOG_LEVEL ?? 'warn' }),
});
