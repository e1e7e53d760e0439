#!/usr/bin/env node
import { EXIT } from './exit-codes.js';
import { main } from './app.js';
import { processOut } from './output.js';

try {
  process.exitCode = await main(process.argv.slice(2), processOut);
} catch (e) {
  // Only a bug in mommie gets here; a user's mistake is always a diagnostic.
  const detail = e instanceof Error ? e.message : String(e);
  process.stderr.write(`mommie: internal error: ${detail}\nThis is a bug in mommie; set MOMMIE_DEBUG=1 for the stack trace.\n`);
  if (process.env['MOMMIE_DEBUG'] === '1' && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
  process.exitCode = EXIT.INTERNAL;
}
