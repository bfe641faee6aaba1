#!/usr/bin/env node
// Launcher of the dv-node CLI (dv-node/src/cli.ts), run through tsx so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
