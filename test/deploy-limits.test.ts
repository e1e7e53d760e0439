// The deploy file's [Limits] (issue 22 item 3): the link's bounds per peer,
// with defaults when the section is absent, and a located MOM625 for a limit
// that does not exist or a value of the wrong kind or out of range.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDeploy } from '../src/deploy/check.js';
import { DEFAULT_LINK_LIMITS } from '../src/deploy/limits.js';
import { parseDeploy } from '../src/deploy/parse.js';
import { ROOT } from './helpers/cli.js';
import { program } from './helpers/deploy.js';

const base = readFileSync(join(ROOT, 'specs', 'PBFTCounter.deploy'), 'utf8');
const pbft = program('specs/PBFTCounter.mom');

function check(limits: string): ReturnType<typeof checkDeploy> & { lines: string[] } {
  const text = `${base}\n[Limits]\n${limits}\n`;
  const parsed = parseDeploy('limits.deploy', text);
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const r = checkDeploy(parsed.syntax, pbft);
  const lines = r.diagnostics.map((d) => `${d.code} line ${d.span === undefined ? '?' : parsed.source.position(d.span.start).line}: ${d.message}`);
  return { ...r, lines };
}

describe('[Limits]', () => {
  it('are the defaults without the section', () => {
    const parsed = parseDeploy('plain.deploy', base);
    const r = checkDeploy(parsed.syntax, pbft);
    expect(r.ok).toBe(true);
    expect(r.deployment!.limits).toEqual(DEFAULT_LINK_LIMITS);
  });

  it('set each bound named, the others keep their defaults', () => {
    const r = check('HandshakeTimeout = 2s\nMaxUnackedPerPeer = 64\nMaxHeldPerPeer = 32');
    expect(r.lines).toEqual([]);
    expect(r.deployment!.limits).toEqual({ ...DEFAULT_LINK_LIMITS, handshakeTimeoutMs: 2000, maxUnackedPerPeer: 64, maxHeldPerPeer: 32 });
  });

  it('refuse a limit that does not exist, a value of the wrong kind, or one out of range, each where it is written (MOM625)', () => {
    const r = check('MaxConnections = 4\nHandshakeTimeout = 3000\nMaxUnackedPerPeer = 0\nMaxHandshaking = 8');
    expect(r.ok).toBe(false);
    const at = base.split('\n').length + 2;
    expect(r.lines).toEqual([
      `MOM625 line ${at}: there is no limit MaxConnections (the limits: HandshakeTimeout, MaxHandshaking, MaxUnackedPerPeer, MaxBacklogPerPeer, MaxBufferedBytesPerPeer, MaxHeldPerPeer, MaxFetchAnswersPerPeer, CheckpointEvery)`,
      `MOM625 line ${at + 1}: HandshakeTimeout is a duration such as 3s`,
      `MOM625 line ${at + 2}: MaxUnackedPerPeer = 0 is outside 1..1048576`,
    ]);
  });

  it('refuse a limit given twice (MOM608)', () => {
    const parsed = parseDeploy('twice.deploy', `${base}\n[Limits]\nMaxHeldPerPeer = 8\nMaxHeldPerPeer = 9\n`);
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(['MOM608']);
  });
});
