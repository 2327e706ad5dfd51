#!/usr/bin/env node
import { endQuietlyOnClosedPipe } from './closed-stdout.js';
import { main } from './main.js';

endQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ssam: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
