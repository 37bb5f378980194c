import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, Sandbox, type SandboxLimits } from './sandbox.js';

/** What a sandboxed Node process can see of itself. */
const REPORT = `
const fs = require('node:fs');
const limits = {};
for (const line of fs.readFileSync('/proc/self/limits', 'utf8').split('\\n')) {
  const m = /^(Max [a-z ]+?)\\s{2,}(\\S+)\\s+(\\S+)/.exec(line);
  if (m) limits[m[1]] = [m[2], m[3]];
}
const ifaces = fs.readFileSync('/proc/net/dev', 'utf8').split('\\n').slice(2).map((l) => l.split(':')[0].trim()).filter(Boolean);
process.stdout.write(JSON.stringify({ env: process.env, uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(), limits, ifaces }));
`;
interface Report {
  env: Record<string, string>;
  uid: number;
  gid: number;
  groups: number[];
  limits: Record<string, [string, string]>;
  ifaces: string[];
}

const limits: SandboxLimits = { addressSpaceBytes: 3 * 1024 ** 3, cpuSeconds: 7, fileSizeBytes: 5 * 1024 ** 2, stdoutBytes: 1024 ** 2 };

async function report(sandbox: Sandbox, script = REPORT): Promise<Report> {
  const r = await sandbox.run(process.execPath, ['-e', script], { limits, timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.toString('utf8')) as Report;
}

describe('raw decoder sandbox', () => {
  let sandbox: Sandbox;
  const secret = 'sandbox-spec-secret-value';
  before(async () => {
    process.env.REVELA_SANDBOX_SPEC_SECRET = secret;
    sandbox = await Sandbox.detect();
  });
  after(() => {
    delete process.env.REVELA_SANDBOX_SPEC_SECRET;
  });

  it('detects the protections once and builds the wrapper argv from them', (t) => {
    const p = sandbox.protections;
    t.diagnostic(`protections on this machine: ${sandbox.describe()}`);
    const c = sandbox.command('/usr/bin/dcraw_emu', ['-T', 'in.nef'], limits);
    const argv = [c.file, ...c.args];
    assert.deepEqual(argv.slice(-3), ['/usr/bin/dcraw_emu', '-T', 'in.nef']);
    let i = 0;
    if (p.resourceLimits) {
      assert.match(argv[i], /\/prlimit$/);
      assert.deepEqual(argv.slice(i + 1, i + 6), [`--as=${3 * 1024 ** 3}`, '--cpu=7:9', `--fsize=${5 * 1024 ** 2}`, '--core=0', '--']);
      i += 6;
    }
    if (p.network) {
      assert.match(argv[i], /\/unshare$/);
      assert.deepEqual(argv.slice(i + 1, i + 1 + p.network.split(' ').length), [...p.network.split(' ').slice(1), '--']);
      i += p.network.split(' ').length + 1;
    }
    if (p.user) {
      assert.match(argv[i], /\/setpriv$/);
      assert.deepEqual(argv.slice(i + 1, i + 6), [
        `--reuid=${p.user.uid}`,
        `--regid=${p.user.gid}`,
        '--clear-groups',
        '--no-new-privs',
        '--',
      ]);
      i += 6;
    }
    assert.equal(argv.length, i + 3, 'nothing else is wrapped around the tool');
    assert.equal(p.environment, 'empty');
    if (process.getuid!() === 0) {
      assert.equal(
        p.missing.some((m) => m.includes('unprivileged user')),
        p.user === null,
      );
    }
  });

  it('runs a program with an empty environment and whatever protections are active', async (t) => {
    const p = sandbox.protections;
    t.diagnostic(`protections: ${sandbox.describe()}`);
    const r = await report(sandbox);
    assert.deepEqual(r.env, {}, 'nothing inherited, not even PATH');
    if (p.resourceLimits) {
      assert.deepEqual(r.limits['Max address space'], [String(3 * 1024 ** 3), String(3 * 1024 ** 3)]);
      assert.deepEqual(r.limits['Max cpu time'], ['7', '9']);
      assert.deepEqual(r.limits['Max file size'], [String(5 * 1024 ** 2), String(5 * 1024 ** 2)]);
      assert.deepEqual(r.limits['Max core file size'], ['0', '0']);
    }
    if (p.network) assert.deepEqual(r.ifaces, ['lo'], 'a network namespace of its own: loopback only');
    if (p.user) {
      assert.deepEqual([r.uid, r.gid], [p.user.uid, p.user.gid]);
      assert.notEqual(r.uid, 0);
      assert.deepEqual(
        r.groups.filter((g) => g !== p.user!.gid),
        [],
        'no supplementary groups',
      );
    }
  });

  it('without prlimit, unshare and setpriv it still runs, and warns once naming what is missing', async (t) => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => {
      if (w.name === 'RevelaSandboxWarning') warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const bare = await Sandbox.detect({
        prlimit: '/nonexistent/prlimit',
        unshare: '/nonexistent/unshare',
        setpriv: '/nonexistent/setpriv',
      });
      const r = await report(bare);
      bare.command('/bin/true', [], DEFAULT_LIMITS);
      await new Promise((resolve) => setImmediate(resolve));
      t.diagnostic(`fallback: ${bare.describe()}`);
      assert.equal(bare.protections.resourceLimits, false);
      assert.equal(bare.protections.network, null);
      assert.equal(bare.protections.user, null);
      assert.deepEqual(r.env, {}, 'the environment is empty even without any wrapper');
      assert.deepEqual(bare.command('/bin/true', ['x'], DEFAULT_LIMITS), { file: '/bin/true', args: ['x'] });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /prlimit not found/);
      assert.match(warnings[0].message, /unshare not found/);
      if (process.getuid!() === 0) assert.match(warnings[0].message, /setpriv not found\); decoders run as root/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('stage() lets the sandbox user read, but not change, a file it could not reach', async (t) => {
    const p = sandbox.protections;
    t.diagnostic(`user: ${p.user ? `${p.user.name} (${p.user.uid})` : 'none (runs as this process)'}`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sandbox-spec-'));
    try {
      const file = path.join(dir, 'private.nef');
      await writeFile(file, 'RAW bytes');
      await chmod(file, 0o600);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      const read = (f: string) =>
        sandbox.run(process.execPath, ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(f)}))`], {
          limits,
          timeoutMs: 30_000,
        });
      if (p.user) assert.notEqual((await read(file)).code, 0, 'the sandbox user cannot read the original');
      const staged = await sandbox.stage(file);
      try {
        assert.equal(path.basename(staged.path), 'input.nef');
        assert.equal(path.dirname(staged.path), staged.dir);
        const r = await read(staged.path);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.toString(), 'RAW bytes');
        if (p.user) {
          const write = await sandbox.run(
            process.execPath,
            ['-e', `require('fs').writeFileSync(${JSON.stringify(staged.path)}, 'tampered')`],
            {
              limits,
              timeoutMs: 30_000,
            },
          );
          assert.notEqual(write.code, 0, 'the sandbox user cannot change the file');
          assert.equal(await readFile(file, 'utf8'), 'RAW bytes');
          const st = await stat(staged.dir);
          assert.deepEqual([st.uid, st.mode & 0o777], [p.user.uid, 0o700], 'the staging dir is the sandbox user’s alone');
        }
      } finally {
        await staged.dispose();
      }
      await assert.rejects(stat(staged.dir), { code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
