// Tool management (src/tools/, `mommie tools`): Java discovery and version
// parsing, the jar lookup order, `tools install` against a local HTTP server
// (never the network), and `tools doctor`. The doctor test on a real TLC runs
// only where a tla2tools.jar and Java 11+ exist; elsewhere it is skipped and
// says so.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { CLI } from './helpers/cli.js';
import { doctorReportCodec, type DoctorReport } from '../src/tools/doctor.js';
import { inspectJar, locateJar, zipProblem } from '../src/tools/jar.js';
import { findJava, javaTooOld, MIN_JAVA_MAJOR, parseJavaVersion, probeJava } from '../src/tools/java.js';
import { PINNED_TLA2TOOLS } from '../src/tools/pinned.js';
import { cacheRoot, cachedJarPath, currentHost, type Host } from '../src/tools/platform.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { parseNameSectionVersion, parseSanyBanner } from '../src/tools/tlc-probe.js';

const tmp = mkdtempSync(join(tmpdir(), 'mommie-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
function freshDir(name: string): string {
  const d = join(tmp, `${name}-${counter++}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function host(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = 'linux', home = join(tmp, 'home')): Host {
  return { env, platform, home };
}

// ---------------------------------------------------------------------------
// A small, valid zip archive (one stored file), for fake jars.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function makeZip(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const fname = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  const cdOffset = local.length + fname.length + data.length;
  const cd = Buffer.concat([central, fname]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, fname, data, cd, end]);
}
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const JAR_A = makeZip('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\nCreated-By: mommie test A\n');
const JAR_B = makeZip('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\nCreated-By: mommie test B (changed)\n');
const NOT_ZIP = Buffer.from('<html>this is not a jar</html>\n'.repeat(20));

// ---------------------------------------------------------------------------

describe('java -version', () => {
  const cases: [string, string, number][] = [
    ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\nOpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)', '17.0.15', 17],
    ['java version "1.8.0_392"\nJava(TM) SE Runtime Environment (build 1.8.0_392-b08)\nJava HotSpot(TM) 64-Bit Server VM (build 25.392-b08, mixed mode)', '1.8.0_392', 8],
    ['openjdk version "11.0.22" 2024-01-16 LTS\nOpenJDK Runtime Environment Temurin-11.0.22+7 (build 11.0.22+7)', '11.0.22', 11],
    ['openjdk version "21-ea" 2023-09-19\nOpenJDK Runtime Environment (build 21-ea+35-2513)', '21-ea', 21],
    ['Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8\nopenjdk version "21.0.2" 2024-01-16 LTS', '21.0.2', 21],
    ['Picked up _JAVA_OPTIONS: -Xmx2g\njava version "22.0.1" 2024-04-16\nJava(TM) SE Runtime Environment Oracle GraalVM 22.0.1+8.1', '22.0.1', 22],
    ['openjdk version "1.7.0_80"\nOpenJDK Runtime Environment (IcedTea 2.6.14)', '1.7.0_80', 7],
    ['java version "9"\nJava(TM) SE Runtime Environment (build 9+181)', '9', 9],
    ['openjdk version "25" 2025-09-16\nOpenJDK Runtime Environment Homebrew (build 25)', '25', 25],
    ['openjdk version "17.0.9" 2023-10-17\nIBM Semeru Runtime Open Edition 17.0.9.0 (build 17.0.9+9)', '17.0.9', 17],
  ];
  it.each(cases)('reads %j', (text, version, major) => {
    expect(parseJavaVersion(text)).toEqual({ version, major });
  });

  it('finds no version in other output', () => {
    for (const text of ['', 'Error: could not find libjava.so', 'java: command not found', 'openjdk version "" 2020', 'openjdk version "abc"']) {
      expect(parseJavaVersion(text), text).toBeUndefined();
    }
  });

  it('calls Java 8 too old and Java 11 fine', () => {
    const old = javaTooOld({ path: '/usr/bin/java', source: 'PATH', version: '1.8.0_392', major: 8 });
    expect(old?.code).toBe('java-too-old');
    expect(old?.message).toBe('/usr/bin/java is Java 8 (1.8.0_392); TLC needs Java 11 or newer.');
    expect(javaTooOld({ path: 'j', source: 'PATH', version: '11', major: 11 })).toBeUndefined();
    expect(MIN_JAVA_MAJOR).toBe(11);
  });
});

describe.skipIf(process.platform === 'win32')('finding java', () => {
  function fakeJava(dir: string, version: string): string {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    const path = join(dir, 'bin', 'java');
    writeFileSync(path, `#!/bin/sh\necho 'openjdk version "${version}" 2024-01-01' >&2\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('prefers JAVA_HOME/bin/java to PATH', () => {
    const home = freshDir('jdk');
    const onPath = freshDir('path');
    const java = fakeJava(home, '17.0.1');
    fakeJava(onPath, '21');
    const r = findJava(host({ JAVA_HOME: home, PATH: join(onPath, 'bin') }));
    expect(isRight(r) && r.right).toEqual({ path: java, source: 'JAVA_HOME' });
  });

  it('uses the first java on PATH when JAVA_HOME is unset', () => {
    const a = freshDir('a');
    const b = freshDir('b');
    const java = fakeJava(a, '17');
    fakeJava(b, '21');
    const r = findJava(host({ PATH: [join(tmp, 'nowhere'), join(a, 'bin'), join(b, 'bin')].join(':') }));
    expect(isRight(r) && r.right).toEqual({ path: java, source: 'PATH' });
  });

  it('says what to do about a JAVA_HOME without java, and about no java at all', () => {
    const empty = freshDir('empty');
    const bad = findJava(host({ JAVA_HOME: empty, PATH: '' }));
    expect(isLeft(bad) && bad.left.code).toBe('java-home-invalid');
    expect(isLeft(bad) && bad.left.message).toBe(`JAVA_HOME is set to ${empty}, but ${join(empty, 'bin', 'java')} is not an executable file.`);
    const none = findJava(host({ PATH: empty }));
    expect(isLeft(none) && none.left).toMatchObject({ code: 'java-missing', hint: expect.stringMatching(/^Install a JDK 11 or newer/) });
  });

  it('runs java -version and reports an old Java', async () => {
    const home = freshDir('jdk8');
    fakeJava(home, '1.8.0_392');
    const r = await probeJava(host({ JAVA_HOME: home, PATH: '' }));
    expect(isRight(r) && r.right).toMatchObject({ version: '1.8.0_392', major: 8, source: 'JAVA_HOME' });
    if (isRight(r)) expect(javaTooOld(r.right)?.code).toBe('java-too-old');
  });

  it('reports a java that prints no version', async () => {
    const home = freshDir('broken');
    mkdirSync(join(home, 'bin'));
    writeFileSync(join(home, 'bin', 'java'), '#!/bin/sh\necho "Error: could not find libjava.so" >&2\nexit 1\n');
    chmodSync(join(home, 'bin', 'java'), 0o755);
    const r = await probeJava(host({ JAVA_HOME: home, PATH: '' }));
    expect(isLeft(r) && r.left.code).toBe('java-broken');
    expect(isLeft(r) && r.left.message).toContain('failed (exit 1: Error: could not find libjava.so)');
  });
});

describe("the versions a tla2tools.jar prints", () => {
  it('reads SANY\'s version from the NAME section of -help (1.8) or from the banner it prints when parsing (1.7.4)', () => {
    // As printed by the two builds this project is tested with (docs/tlc.md).
    expect(parseNameSectionVersion('\n\u001b[1mNAME\u001b[0m\n        \tSANY - provides parsing, semantic analysis, and level-checking for a TLA+ spec - Version 2.2 created 08 July 2020\n', 'SANY')).toBe('2.2 created 08 July 2020');
    expect(parseNameSectionVersion('Illegal switch: -help\n', 'SANY')).toBeUndefined();
    expect(parseSanyBanner('\n****** SANY2 Version 2.1 created 24 February 2014\n\nParsing file /tmp/x/Probe.tla\n')).toBe('2.1 created 24 February 2014');
    expect(parseSanyBanner('Parsing file Probe.tla\n')).toBeUndefined();
  });
});

describe('finding tla2tools.jar', () => {
  it('puts the cache under XDG_CACHE_HOME, ~/.cache, ~/Library/Caches (macOS) or LOCALAPPDATA (Windows)', () => {
    expect(cacheRoot(host({ XDG_CACHE_HOME: '/x/cache' }))).toBe('/x/cache/mommie');
    expect(cacheRoot(host({ XDG_CACHE_HOME: 'relative/ignored' }, 'linux', '/home/u'))).toBe('/home/u/.cache/mommie');
    expect(cacheRoot(host({}, 'linux', '/home/u'))).toBe('/home/u/.cache/mommie');
    expect(cacheRoot(host({}, 'darwin', '/Users/u'))).toBe('/Users/u/Library/Caches/mommie');
    expect(cacheRoot(host({ LOCALAPPDATA: '/c/AppData/Local' }, 'win32', '/c'))).toBe(join('/c/AppData/Local', 'mommie', 'Cache'));
    expect(cachedJarPath(host({ XDG_CACHE_HOME: '/x' }), '1.7.4')).toBe('/x/mommie/tla2tools/1.7.4/tla2tools.jar');
    expect(currentHost({ env: { HOME: '/h' } }).home).toBe('/h');
  });

  it('takes --tla2tools first, then TLA2TOOLS_JAR, then the cache', () => {
    const cache = freshDir('cache');
    const flagJar = join(freshDir('flag'), 'flag.jar');
    const envJar = join(freshDir('env'), 'env.jar');
    const cacheJar = cachedJarPath(host({ XDG_CACHE_HOME: cache }), PINNED_TLA2TOOLS.version);
    for (const p of [flagJar, envJar, cacheJar]) {
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, JAR_A);
    }
    const all = host({ XDG_CACHE_HOME: cache, TLA2TOOLS_JAR: envJar });
    expect(locateJar(all, flagJar)).toEqual({ _tag: 'Right', right: { path: flagJar, source: '--tla2tools' } });
    expect(locateJar(all)).toEqual({ _tag: 'Right', right: { path: envJar, source: 'TLA2TOOLS_JAR' } });
    expect(locateJar(host({ XDG_CACHE_HOME: cache, TLA2TOOLS_JAR: '' }))).toEqual({ _tag: 'Right', right: { path: cacheJar, source: 'cache' } });
  });

  it('does not fall back past a flag or variable that names a missing file', () => {
    const cache = freshDir('cache');
    const cacheJar = cachedJarPath(host({ XDG_CACHE_HOME: cache }), PINNED_TLA2TOOLS.version);
    mkdirSync(join(cacheJar, '..'), { recursive: true });
    writeFileSync(cacheJar, JAR_A);
    const missing = join(tmp, 'missing.jar');
    const byFlag = locateJar(host({ XDG_CACHE_HOME: cache }), missing);
    expect(isLeft(byFlag) && byFlag.left.message).toBe(`--tla2tools names ${missing}, which does not exist.`);
    const byEnv = locateJar(host({ XDG_CACHE_HOME: cache, TLA2TOOLS_JAR: missing }));
    expect(isLeft(byEnv) && byEnv.left).toMatchObject({ code: 'jar-missing', message: `TLA2TOOLS_JAR points to ${missing}, which does not exist.` });
  });

  it('says how to install when nothing is found', () => {
    const cache = freshDir('cache');
    const r = locateJar(host({ XDG_CACHE_HOME: cache }));
    expect(isLeft(r) && r.left.code).toBe('jar-not-installed');
    expect(isLeft(r) && r.left.hint).toBe('Run `mommie tools install` to download TLA+ tools 1.7.4, or set TLA2TOOLS_JAR to an existing tla2tools.jar.');
  });

  it('tells a whole jar from a truncated or foreign file', () => {
    expect(zipProblem(JAR_A)).toBeUndefined();
    expect(zipProblem(JAR_A.subarray(0, JAR_A.length - 10))).toBe('it has no zip table of contents (it is truncated or damaged)');
    expect(zipProblem(NOT_ZIP)).toBe('it does not start like a zip archive');
    expect(zipProblem(Buffer.alloc(3))).toBe('it is too small to be a zip archive');
    const dir = freshDir('jars');
    writeFileSync(join(dir, 'cut.jar'), JAR_A.subarray(0, 40));
    const r = inspectJar(join(dir, 'cut.jar'));
    expect(isLeft(r) && r.left.message).toBe(`The jar at ${join(dir, 'cut.jar')} is not a valid zip/jar file: it has no zip table of contents (it is truncated or damaged).`);
    writeFileSync(join(dir, 'a.jar'), JAR_A);
    expect(inspectJar(join(dir, 'a.jar'))).toEqual({ _tag: 'Right', right: { size: JAR_A.length, sha256: sha256(JAR_A), recordedSha256: null } });
  });
});

// ---------------------------------------------------------------------------
// The CLI, with a controlled environment.

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const r = await execa(process.execPath, [CLI, ...args], { reject: false, timeout: 120_000, extendEnv: false, env: { NO_COLOR: '1', PATH: process.env['PATH'] ?? '', ...env } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('mommie tools install (against a local server)', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const [, kind, version, file] = (req.url ?? '').split('/');
      if (version !== `v${PINNED_TLA2TOOLS.version}` || file !== 'tla2tools.jar') {
        res.writeHead(404).end('not found');
        return;
      }
      switch (kind) {
        case 'ok':
          res.writeHead(200, { 'content-type': 'application/java-archive', 'content-length': JAR_A.length }).end(JAR_A);
          return;
        case 'changed':
          res.writeHead(200, { 'content-length': JAR_B.length }).end(JAR_B);
          return;
        case 'notzip':
          res.writeHead(200, { 'content-length': NOT_ZIP.length }).end(NOT_ZIP);
          return;
        case 'redirect':
          res.writeHead(302, { location: `/ok/v${PINNED_TLA2TOOLS.version}/tla2tools.jar` }).end();
          return;
        case 'short':
          // Promises the whole jar, sends half, and hangs up.
          res.writeHead(200, { 'content-length': JAR_A.length });
          res.write(JAR_A.subarray(0, 40), () => res.destroy());
          return;
        case 'error':
          res.writeHead(500, 'Internal Server Error').end('boom');
          return;
        default:
          res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const settings = (cache: string, kind: string, digest = sha256(JAR_A)): NodeJS.ProcessEnv => ({
    XDG_CACHE_HOME: cache,
    HOME: join(cache, 'home'),
    MOMMIE_TLA2TOOLS_URL: `${base}/${kind}`,
    MOMMIE_TLA2TOOLS_SHA256: digest,
  });
  const jarIn = (cache: string): string => join(cache, 'mommie', 'tla2tools', PINNED_TLA2TOOLS.version, 'tla2tools.jar');

  it('downloads, verifies, records the hash, and leaves nothing else behind', async () => {
    const cache = freshDir('cache');
    const r = await cli(['tools', 'install'], settings(cache, 'ok'));
    expect(r.stderr).toContain(`downloading ${base}/ok/v1.7.4/tla2tools.jar`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`installed TLA+ tools 1.7.4 at ${jarIn(cache)} (${JAR_A.length} bytes, sha256 ${sha256(JAR_A)})`);
    expect(readFileSync(jarIn(cache))).toEqual(JAR_A);
    expect(readFileSync(`${jarIn(cache)}.sha256`, 'utf8')).toBe(`${sha256(JAR_A)}  tla2tools.jar\n`);
    expect(filesUnder(cache).sort()).toEqual([jarIn(cache), `${jarIn(cache)}.sha256`]);

    const again = await cli(['tools', 'install'], settings(cache, 'ok'));
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('is already installed');
  });

  it('adopts a jar already in place when it is the expected one, refuses it otherwise, and clears stale temporary files', async () => {
    const cache = freshDir('cache');
    mkdirSync(join(jarIn(cache), '..'), { recursive: true });
    writeFileSync(jarIn(cache), JAR_A);
    const stale = join(jarIn(cache), '..', '.tla2tools.jar.999999999.abcd1234.part');
    writeFileSync(stale, 'half');
    const adopt = await cli(['tools', 'install'], settings(cache, 'ok'));
    expect(adopt.exitCode).toBe(0);
    expect(adopt.stdout).toContain('is already installed');
    expect(readFileSync(`${jarIn(cache)}.sha256`, 'utf8')).toBe(`${sha256(JAR_A)}  tla2tools.jar\n`);

    const other = freshDir('cache');
    mkdirSync(join(jarIn(other), '..'), { recursive: true });
    writeFileSync(jarIn(other), JAR_B);
    const refuse = await cli(['tools', 'install'], settings(other, 'ok'));
    expect(refuse.exitCode).toBe(1);
    expect(refuse.stderr).toContain(`There is already a jar at ${jarIn(other)}, but its SHA-256 is ${sha256(JAR_B)}`);
    expect(refuse.stderr).toContain('Run `mommie tools install --force` to replace it.');
    writeFileSync(join(jarIn(other), '..', '.tla2tools.jar.999999999.abcd1234.part'), 'half');
    expect((await cli(['tools', 'install', '--force'], settings(other, 'ok'))).exitCode).toBe(0);
    expect(filesUnder(other).sort()).toEqual([jarIn(other), `${jarIn(other)}.sha256`]);
  });

  it('follows redirects (GitHub serves release assets through one)', async () => {
    const cache = freshDir('cache');
    const r = await cli(['tools', 'install'], settings(cache, 'redirect'));
    expect(r.exitCode).toBe(0);
    expect(readFileSync(jarIn(cache))).toEqual(JAR_A);
  });

  it('refuses a download whose hash is not the expected one, and keeps the installed jar', async () => {
    const cache = freshDir('cache');
    expect((await cli(['tools', 'install'], settings(cache, 'ok'))).exitCode).toBe(0);
    const r = await cli(['tools', 'install', '--force'], settings(cache, 'changed'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      `mommie tools install: The file downloaded from ${base}/changed/v1.7.4/tla2tools.jar has SHA-256 ${sha256(JAR_B)}, but TLA+ tools 1.7.4 has ${sha256(JAR_A)}; it was not installed.`,
    );
    expect(readFileSync(jarIn(cache))).toEqual(JAR_A);
    expect(filesUnder(cache)).toHaveLength(2);
  });

  it('checks the pinned digest when no other is given', async () => {
    const cache = freshDir('cache');
    const env = settings(cache, 'ok');
    delete env['MOMMIE_TLA2TOOLS_SHA256'];
    const r = await cli(['tools', 'install'], env);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`but TLA+ tools 1.7.4 has ${PINNED_TLA2TOOLS.sha256}; it was not installed.`);
    expect(filesUnder(cache)).toEqual([]);
  });

  it('refuses an installed jar that changed on disk, in install and in doctor', async () => {
    const cache = freshDir('cache');
    expect((await cli(['tools', 'install'], settings(cache, 'ok'))).exitCode).toBe(0);
    writeFileSync(jarIn(cache), JAR_B);

    const install = await cli(['tools', 'install'], settings(cache, 'ok'));
    expect(install.exitCode).toBe(1);
    expect(install.stderr).toContain(`The jar at ${jarIn(cache)} has changed since it was installed: its SHA-256 is ${sha256(JAR_B)}`);
    expect(install.stderr).toContain('Run `mommie tools install --force` to download it again.');

    const doctor = await cli(['tools', 'doctor', '--json'], settings(cache, 'ok'));
    expect(doctor.exitCode).toBe(1);
    const report = decodeReport(doctor.stdout);
    expect(report.tla2tools).toMatchObject({ status: 'changed', path: jarIn(cache), source: 'cache', sha256: sha256(JAR_B), recordedSha256: sha256(JAR_A) });
    const resolved = await resolveTlc({ host: { env: { XDG_CACHE_HOME: cache, PATH: process.env['PATH'] ?? '' } } });
    expect(isLeft(resolved) && resolved.left.code).toBe('jar-changed');

    const force = await cli(['tools', 'install', '--force'], settings(cache, 'ok'));
    expect(force.exitCode).toBe(0);
    expect(readFileSync(jarIn(cache))).toEqual(JAR_A);
  });

  it('reports a server error in one sentence and leaves no file behind', async () => {
    const cache = freshDir('cache');
    const r = await cli(['tools', 'install'], settings(cache, 'error'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`mommie tools install: Downloading ${base}/error/v1.7.4/tla2tools.jar failed: the server answered 500 Internal Server Error.\n`);
    expect(r.stderr).toContain('Check your network connection and try again, or download tla2tools.jar yourself and set TLA2TOOLS_JAR to it.');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(filesUnder(cache)).toEqual([]);
  });

  it('reports a download cut short, and a file that is not a jar, leaving nothing behind', async () => {
    const cache = freshDir('cache');
    const short = await cli(['tools', 'install'], settings(cache, 'short'));
    expect(short.exitCode).toBe(1);
    expect(short.stderr).toMatch(
      /The download of .*\/short\/v1\.7\.4\/tla2tools\.jar (broke off after \d+ bytes of \d+: the server closed the connection \(UND_ERR_SOCKET\)|stopped after \d+ of \d+ bytes); nothing was installed\./,
    );
    expect(filesUnder(cache)).toEqual([]);

    const notZip = await cli(['tools', 'install'], settings(cache, 'notzip', sha256(NOT_ZIP)));
    expect(notZip.exitCode).toBe(1);
    expect(notZip.stderr).toContain('is not a valid zip/jar file: it does not start like a zip archive; it was not installed.');
    expect(filesUnder(cache)).toEqual([]);
  });

  it('reports a server that is not there, and settings that are not usable', async () => {
    const cache = freshDir('cache');
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const down = await cli(['tools', 'install'], { ...settings(cache, 'ok'), MOMMIE_TLA2TOOLS_URL: `http://127.0.0.1:${port}/x` });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain(`Downloading http://127.0.0.1:${port}/x/v1.7.4/tla2tools.jar failed: the connection was refused (ECONNREFUSED).`);
    const ftp = await cli(['tools', 'install'], { ...settings(cache, 'ok'), MOMMIE_TLA2TOOLS_URL: 'ftp://example.org/x' });
    expect(ftp.stderr).toContain("MOMMIE_TLA2TOOLS_URL must be an http or https URL, not 'ftp://example.org/x'.");
    const digest = await cli(['tools', 'install'], { ...settings(cache, 'ok'), MOMMIE_TLA2TOOLS_SHA256: 'abc' });
    expect(digest.stderr).toContain('MOMMIE_TLA2TOOLS_SHA256 is not a SHA-256 digest (64 hex digits).');
    expect(filesUnder(cache)).toEqual([]);
    const bad = await cli(['tools', 'install', '--frobnicate'], settings(cache, 'ok'));
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("Unknown option '--frobnicate'");
  });

  it('never reached anything but the local server', () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r).toMatch(/^\/(ok|changed|notzip|redirect|short|error)\/v1\.7\.4\/tla2tools\.jar$/);
  });
});

function decodeReport(stdout: string): DoctorReport {
  const r = doctorReportCodec.decode(JSON.parse(stdout));
  if (isLeft(r)) throw new Error('doctor --json printed a report that does not match its codec');
  return r.right;
}

describe('mommie tools doctor', () => {
  it('TLA2TOOLS_JAR naming a missing file: exit 1 and what to do', async () => {
    const cache = freshDir('cache');
    const missing = join(tmp, 'no-such-dir', 'tla2tools.jar');
    const r = await cli(['tools', 'doctor', '--json'], { XDG_CACHE_HOME: cache, HOME: cache, TLA2TOOLS_JAR: missing });
    expect(r.exitCode).toBe(1);
    const report = decodeReport(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.tla2tools.status).toBe('missing');
    expect(report.tla2tools.problem?.message).toBe(`TLA2TOOLS_JAR points to ${missing}, which does not exist.`);
    expect(report.tla2tools.problem?.hint).toBe('Fix TLA2TOOLS_JAR, or unset it to use the jar that `mommie tools install` puts in the cache.');
    expect(report.install).toEqual({
      version: '1.7.4',
      url: 'https://github.com/tlaplus/tlaplus/releases/download/v1.7.4/tla2tools.jar',
      sha256: PINNED_TLA2TOOLS.sha256,
      path: join(cache, 'mommie', 'tla2tools', '1.7.4', 'tla2tools.jar'),
    });

    const human = await cli(['tools', 'doctor'], { XDG_CACHE_HOME: cache, HOME: cache, TLA2TOOLS_JAR: missing });
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain(`tla2tools: missing\n           TLA2TOOLS_JAR points to ${missing}, which does not exist.\n`);
    expect(human.stdout).toContain('TLC is not usable: see above for what to do.');
  });

  it('a truncated jar: corrupt, with the sentence to reinstall', async () => {
    const dir = freshDir('corrupt');
    const jar = join(dir, 'tla2tools.jar');
    writeFileSync(jar, JAR_A.subarray(0, JAR_A.length - 30));
    const r = await cli(['tools', 'doctor', '--json', '--tla2tools', jar], { XDG_CACHE_HOME: dir, HOME: dir });
    expect(r.exitCode).toBe(1);
    const report = decodeReport(r.stdout);
    expect(report.tla2tools).toMatchObject({ status: 'corrupt', source: '--tla2tools', path: jar });
    expect(report.tla2tools.problem?.message).toBe(`The jar at ${jar} is not a valid zip/jar file: it has no zip table of contents (it is truncated or damaged).`);
    expect(report.tla2tools.problem?.hint).toContain('mommie tools install --force');
  });

  it('no Java on PATH: missing, with the sentence to install a JDK 11+', async () => {
    const dir = freshDir('nojava');
    const jar = join(dir, 'tla2tools.jar');
    writeFileSync(jar, JAR_A);
    const r = await cli(['tools', 'doctor', '--json'], { XDG_CACHE_HOME: dir, HOME: dir, PATH: dir, TLA2TOOLS_JAR: jar });
    expect(r.exitCode).toBe(1);
    const report = decodeReport(r.stdout);
    expect(report.java).toMatchObject({ status: 'missing', path: null });
    expect(report.java.problem?.hint).toMatch(/^Install a JDK 11 or newer/);
    expect(report.tla2tools.status).toBe('unchecked');
    expect(report.tlapm.status).toBe('missing');
  });

  it('a bad subcommand or option is bad input, with the usage', async () => {
    const r = await cli(['tools', 'frob'], {});
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("mommie tools: unknown command 'frob' (install or doctor)");
    const h = await cli(['tools', '--help'], {});
    expect(h.exitCode).toBe(0);
    expect(h.stdout).toContain('Usage: mommie tools <command>');
    const top = await cli(['--help'], {});
    expect(top.stdout).toMatch(/^\s+tools\s+install TLC and check Java, TLC and tlapm/m);
  });
});

// ---------------------------------------------------------------------------
// With a real TLC, where there is one.

const realJar = [process.env['TLA2TOOLS_JAR'], '/opt/tla/tla2tools.jar'].find((p): p is string => p !== undefined && p !== '' && existsSync(p));
let javaOk = false;
beforeAll(async () => {
  const j = await probeJava(currentHost());
  javaOk = isRight(j) && j.right.major >= MIN_JAVA_MAJOR;
  if (realJar === undefined || !javaOk) {
    console.log(
      `tools.test.ts: SKIPPED the doctor and resolveTlc checks on a real TLC: ${realJar === undefined ? 'no tla2tools.jar (set TLA2TOOLS_JAR or put one at /opt/tla/tla2tools.jar)' : 'no Java 11+ (JAVA_HOME or PATH)'}`,
    );
  }
});

describe('with a real tla2tools.jar', () => {
  const env = (): NodeJS.ProcessEnv => {
    const cache = freshDir('real');
    const e: NodeJS.ProcessEnv = { XDG_CACHE_HOME: cache, HOME: cache, TLA2TOOLS_JAR: realJar };
    if (process.env['JAVA_HOME'] !== undefined) e['JAVA_HOME'] = process.env['JAVA_HOME'];
    return e;
  };

  it.skipIf(realJar === undefined)('doctor exits 0 and reports the TLC and SANY versions', async (ctx) => {
    if (!javaOk) ctx.skip();
    const r = await cli(['tools', 'doctor', '--json'], env());
    const report = decodeReport(r.stdout);
    expect(r.exitCode, JSON.stringify(report.tla2tools.problem ?? report.java.problem)).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.java.status).toBe('ok');
    expect(report.java.major).toBeGreaterThanOrEqual(11);
    expect(report.tla2tools).toMatchObject({ status: 'ok', source: 'TLA2TOOLS_JAR' });
    expect(report.tla2tools.tlcVersion).toMatch(/^TLC2 Version \S+/);
    expect(report.tla2tools.sanyVersion).not.toBeNull();
    expect(report.tla2tools.sha256).toMatch(/^[0-9a-f]{64}$/);

    const human = await cli(['tools', 'doctor'], env());
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain(`tla2tools: ok - ${realJar} (from TLA2TOOLS_JAR)`);
    expect(human.stdout).toMatch(/^ {11}TLC2 Version /m);
    expect(human.stdout).toContain('TLC is usable.');
  });

  it.skipIf(realJar === undefined)('resolveTlc gives java and the jar', async (ctx) => {
    if (!javaOk) ctx.skip();
    const r = await resolveTlc({ host: { env: { ...process.env, ...env() } } });
    expect(isRight(r) && r.right).toMatchObject({ jar: realJar, jarSource: 'TLA2TOOLS_JAR', javaMajor: expect.any(Number) });
    const flag = await resolveTlc({ tla2tools: realJar!, host: { env: { ...process.env, TLA2TOOLS_JAR: join(tmp, 'nope.jar') } } });
    expect(isRight(flag) && flag.right.jarSource).toBe('--tla2tools');
  });
});

// `tools install tlapm`: a TLAPS-shaped tarball (tlapm/bin/tlapm, a shell
// stand-in that answers --version and --config) installed into the cache
// with the digest the user pins; doctor then finds it there.
describe('tools install tlapm --from TARBALL --sha256 HEX', () => {
  const makeTarball = async (name: string, withTlapm = true): Promise<{ path: string; digest: string }> => {
    const src = freshDir(`${name}-src`);
    const bin = join(src, 'tlapm', 'bin');
    mkdirSync(bin, { recursive: true });
    mkdirSync(join(src, 'tlapm', 'lib'), { recursive: true });
    if (withTlapm) {
      writeFileSync(join(bin, 'tlapm'), `#!/bin/sh\ncase "$1" in --version) echo "TLA+ Proof Manager 1.6.0 (${name})";; --config) echo "zenon: none";; *) exit 1;; esac\n`);
      chmodSync(join(bin, 'tlapm'), 0o755);
    } else writeFileSync(join(bin, 'README'), 'no tlapm here\n');
    const path = join(freshDir(`${name}-tar`), `${name}.tar.gz`);
    const tar = await execa('tar', ['-czf', path, '-C', src, 'tlapm'], { reject: false });
    expect(tar.exitCode, String(tar.stderr)).toBe(0);
    return { path, digest: createHash('sha256').update(readFileSync(path)).digest('hex') };
  };
  const env = (cache: string): NodeJS.ProcessEnv => ({ XDG_CACHE_HOME: cache, HOME: join(cache, 'home') });

  it('without --from says that mommie pins no tlapm and what to run; without --sha256 refuses', async () => {
    const cache = freshDir('tlapm-nopin');
    const r = await cli(['tools', 'install', 'tlapm'], env(cache));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('mommie pins no tlapm release');
    expect(r.stderr).toContain('mommie tools install tlapm --from FILE-or-URL --sha256 HEX');
    const { path } = await makeTarball('nosha');
    const s = await cli(['tools', 'install', 'tlapm', '--from', path], env(cache));
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toContain('mommie installs a tlapm tarball only with the digest you pinned');
    const odd = await cli(['tools', 'install', 'frob'], env(cache));
    expect(odd.exitCode).toBe(1);
    expect(odd.stderr).toContain("unknown tool 'frob'");
    expect(filesUnder(cache)).toEqual([]);
  });

  it('a digest that does not match installs nothing and leaves no file behind', async () => {
    const cache = freshDir('tlapm-mismatch');
    const { path, digest } = await makeTarball('mismatch');
    const wrong = (digest[0] === '0' ? '1' : '0') + digest.slice(1);
    const r = await cli(['tools', 'install', 'tlapm', '--from', path, '--sha256', wrong], env(cache));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`has SHA-256 ${digest}, not the ${wrong} you pinned; nothing was installed`);
    expect(filesUnder(cache)).toEqual([]);
  });

  it('a tarball without tlapm/bin/tlapm is refused, and nothing is left', async () => {
    const cache = freshDir('tlapm-empty');
    const { path, digest } = await makeTarball('empty', false);
    const r = await cli(['tools', 'install', 'tlapm', '--from', path, '--sha256', digest], env(cache));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('has no tlapm/bin/tlapm: it is not a TLAPS release tarball');
    expect(filesUnder(cache)).toEqual([]);
  });

  it('installs into the cache, where doctor finds it; again is a no-op; another tarball needs --force', async () => {
    const cache = freshDir('tlapm-ok');
    const a = await makeTarball('first');
    const r = await cli(['tools', 'install', 'tlapm', '--from', a.path, '--sha256', a.digest.toUpperCase()], env(cache));
    expect(r.exitCode, r.stderr).toBe(0);
    const exe = join(cache, 'mommie', 'tlapm', 'bin', 'tlapm');
    expect(r.stdout).toBe(`installed TLA+ Proof Manager 1.6.0 (first) at ${exe} (from ${a.path}, sha256 ${a.digest})`);
    // An empty PATH (the stand-in's #!/bin/sh needs none): the cache is where tlapm is found.
    const doc = await cli(['tools', 'doctor', '--json'], { ...env(cache), PATH: freshDir('empty-path') });
    const report = decodeReport(doc.stdout);
    expect(report.tlapm).toMatchObject({ status: 'ok', path: exe, source: 'cache', version: 'TLA+ Proof Manager 1.6.0 (first)' });
    const again = await cli(['tools', 'install', 'tlapm', '--from', a.path, '--sha256', a.digest], env(cache));
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('is already installed at');
    const b = await makeTarball('second');
    const refused = await cli(['tools', 'install', 'tlapm', '--from', b.path, '--sha256', b.digest], env(cache));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`There is already a tlapm at ${join(cache, 'mommie', 'tlapm')}, from ${a.path}`);
    const forced = await cli(['tools', 'install', 'tlapm', '--from', b.path, '--sha256', b.digest, '--force'], env(cache));
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('installed TLA+ Proof Manager 1.6.0 (second)');
    expect(readdirSync(join(cache, 'mommie')).sort()).toEqual(['tlapm']);
  });

  it('fetches an http URL (a local server) and checks it the same way', async () => {
    const cache = freshDir('tlapm-http');
    const a = await makeTarball('served');
    const server = createServer((req, res) => {
      if (req.url === '/tlapm.tar.gz') res.writeHead(200).end(readFileSync(a.path));
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const missing = await cli(['tools', 'install', 'tlapm', '--from', `${url}/nothing.tar.gz`, '--sha256', a.digest], env(cache));
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toContain('the server answered 404');
      const r = await cli(['tools', 'install', 'tlapm', '--sha256', a.digest], { ...env(cache), MOMMIE_TLAPM_URL: `${url}/tlapm.tar.gz` });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain(`(from ${url}/tlapm.tar.gz, sha256 ${a.digest})`);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
