#!/usr/bin/env node
// Thin launcher: all behaviour, including exit codes, lives in src/cli/main.ts.
import { argv } from 'node:process';
import { runMain } from '../dist/cli/main.js';

await runMain(argv);
