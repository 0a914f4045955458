#!/usr/bin/env node
// Entry point: the compiled CLI does the work; this file only forwards argv and the exit code.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
