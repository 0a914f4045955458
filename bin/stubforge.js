#!/usr/bin/env node
// Entry point: the compiled CLI does the work; this file only forwards argv and the exit code.
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command has answered. A request to an engine that stopped answering may still hold a socket
// open; it must not hold the process (and its exit code) with it. The timer does not keep an
// otherwise finished process alive.
setTimeout(() => { process.exit(code); }, 2_000).unref();
