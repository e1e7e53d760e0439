// `mommie run --network tcp`: one OS process per node on loopback.
import { EXIT } from './exit-codes.js';
import type { RunContext } from './run-context.js';

export async function runTcpCommand(ctx: RunContext): Promise<number> {
  ctx.out.stderr('mommie run: --network tcp is not implemented yet; use --network sim');
  return EXIT.BAD_INPUT;
}
