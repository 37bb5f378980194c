/**
 * The decoders really run sandboxed: LibRaw's tools and the wasm child are replaced by scripts that
 * report what they can see and do.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fixture } from '../../../../../test/support/fixtures.js';
import { developRaw } from '../develop.js';
import { DecoderFailure, RawDecodeError } from '../errors.js';
import { findExecutable } from '../exec.js';
import { DEFAULT_PRESET, type ProcessingPreset } from '../preset.js';
import { defaultSandbox, type Sandbox } from '../sandbox.js';
import { NativeRawDecoder } from './native.js';
import { INSTALLED_DECODER, INSTALLED_SOURCE, NATIVE_RAW } from '../testing/installed-decoder.js';
import type { DecodeRequest } from './types.js';
import { WasmRawDecoder } from './wasm.js';

const SECRETS = {
  DATABASE_URL: 'postgres://revela:sandbox-spec-db-password@db.internal/revela',
  AWS_SECRET_ACCESS_KEY: 'sandbox-spec-aws-secret',
};
const request: DecodeRequest = { whiteBalance: 'camera', needLongEdge: 400, bitDepth: 8 };
const thumbOnly: ProcessingPreset = { ...DEFAULT_PRESET, variants: [{ name: 'thumb', longEdge: 400, format: 'webp', quality: 80 }] };
const nef = fixture('raw', 'nikon_d1.nef');

/** Counts connections to a loopback listener. */
async function listen(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => n,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Until the listener has accepted what the kernel already queued. */
async function settle(until: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < 50 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Rejects with a DecoderFailure; returns it. */
async function failure(p: Promise<unknown>): Promise<DecoderFailure> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DecoderFailure, String(e));
    return e;
  }
  assert.fail('expected a DecoderFailure');
}

describe('sandboxed raw decoders', () => {
  let sandbox: Sandbox;
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  before(async () => {
    for (const [k, v] of Object.entries(SECRETS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    sandbox = await defaultSandbox();
    // The scripts must be reachable by the sandbox user.
    dir = await mkdtemp(path.join(os.tmpdir(), 'sandboxed-spec-'));
    await chmod(dir, 0o755);
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string): Promise<string> {
    const sub = await mkdtemp(path.join(dir, 'bin-'));
    await chmod(sub, 0o755);
    const file = path.join(sub, name);
    await writeFile(file, body);
    await chmod(file, 0o755);
    return file;
  }

  it('a substituted dcraw_emu sees no secrets and cannot connect to a listener on 127.0.0.1', async (t) => {
    const p = sandbox.protections;
    t.diagnostic(`protections: ${sandbox.describe()}`);
    const listener = await listen();
    try {
      // Shell builtins only: the empty environment has no PATH.
      const fake = await script(
        'dcraw_emu',
        `#!/bin/bash
{
  n=0
  while IFS= read -r -d '' v; do n=$((n+1)); printf 'env:%s\\n' "$v"; done < /proc/$$/environ
  echo "environ-count=$n uid=$EUID"
  if exec 3<>/dev/tcp/127.0.0.1/${listener.port}; then echo connect=ok; else echo connect=failed; fi
} >&2
`,
      );
      // Control: outside the sandbox the same script sees the secrets and connects.
      const control = await promisify(execFile)(fake, [], { env: process.env }).catch((e: { stderr: string }) => e);
      assert.match(control.stderr, /connect=ok/, 'the connection attempt works outside the sandbox');
      assert.ok(control.stderr.includes(SECRETS.DATABASE_URL), 'and the secret is visible outside it');
      await settle(() => listener.connections() === 1);
      assert.equal(listener.connections(), 1);

      const e = await failure(new NativeRawDecoder({ dcrawEmu: fake }).decode(nef, request));
      await settle();
      t.diagnostic(`the script reported: ${e.message}`);
      assert.equal(e.decoder, 'dcraw_emu');
      assert.match(e.message, /environ-count=0 /, 'an empty environment');
      for (const [k, v] of Object.entries(SECRETS)) {
        assert.ok(!e.message.includes(k) && !e.message.includes(v), `${k} is not passed on`);
      }
      if (p.user) assert.match(e.message, new RegExp(`uid=${p.user.uid} `));
      if (p.network) {
        assert.match(e.message, /connect=failed/);
        assert.match(e.message, /Network is unreachable/);
        assert.equal(listener.connections(), 1, 'the listener received no connection from the sandbox');
      } else {
        t.diagnostic('network isolation is not available here: the network assertion is skipped');
      }
    } finally {
      await listener.close();
    }
  });

  it('the wasm child sees no secrets and cannot connect to a listener on 127.0.0.1', async (t) => {
    const p = sandbox.protections;
    t.diagnostic(`protections: ${sandbox.describe()}`);
    const listener = await listen();
    try {
      // Speaks the child's protocol: a failure whose message is what it saw.
      const child = await script(
        'fake-wasm-child.mjs',
        `import net from 'node:net';
const s = net.connect(${listener.port}, '127.0.0.1');
const done = (connect) => {
  const message = JSON.stringify({ env: process.env, uid: process.getuid(), connect });
  process.stdout.write(JSON.stringify({ ok: false, stage: 'open', message }) + '\\n');
  process.exit(0);
};
s.on('connect', () => done('ok'));
s.on('error', (e) => done('failed: ' + e.code));
`,
      );
      const e = await failure(new WasmRawDecoder({ childUrl: pathToFileURL(child) }).decode(nef, request));
      await settle();
      const seen = JSON.parse(e.message) as { env: Record<string, string>; uid: number; connect: string };
      t.diagnostic(`the child reported: ${e.message}`);
      assert.deepEqual(seen.env, {});
      if (p.user) assert.equal(seen.uid, p.user.uid);
      if (p.network) {
        assert.match(seen.connect, /^failed: (ENETUNREACH|ECONNREFUSED)$/);
        assert.equal(listener.connections(), 0, 'the listener received no connection');
      } else {
        t.diagnostic('network isolation is not available here: the network assertion is skipped');
      }
    } finally {
      await listener.close();
    }
  });

  it('output over the stdout cap fails with a clear reason', async (t) => {
    t.diagnostic(`protections: ${sandbox.describe()}`);
    const yes = await findExecutable('yes');
    assert.ok(yes, 'coreutils yes');
    const fake = await script('dcraw_emu', `#!/bin/sh\nexec ${yes} RAWRAWRAW\n`);
    const native = { dcrawEmu: fake, limits: { stdoutBytes: 1024 * 1024 } };
    const e = await failure(new NativeRawDecoder(native).decode(nef, request));
    assert.equal(e.stage, 'limit');
    assert.equal(e.message, 'dcraw_emu was stopped: its output exceeded the 1 MiB limit');
    // What developRaw makes of it (the wasm fallback is not asked: decoder 'native').
    await assert.rejects(developRaw(nef, thumbOnly, { decoder: 'native', native }), (err: unknown) => {
      assert.ok(err instanceof RawDecodeError);
      assert.equal(err.code, 'decode-failed');
      assert.equal(
        err.message,
        'decoding stopped: the RAW decoder exceeded its sandbox limits (dcraw_emu was stopped: its output exceeded the 1 MiB limit)',
      );
      return true;
    });
  });

  it('a decoder killed by the CPU time limit fails with a readable DecoderFailure', async (t) => {
    t.diagnostic(`protections: ${sandbox.describe()}`);
    if (!sandbox.protections.resourceLimits) {
      t.skip('prlimit is not available here: no CPU time limit to hit');
      return;
    }
    const spin = await script('dcraw_emu', '#!/bin/bash\nwhile :; do :; done\n');
    const e = await failure(new NativeRawDecoder({ dcrawEmu: spin, limits: { cpuSeconds: 1 }, timeoutMs: 60_000 }).decode(nef, request));
    assert.equal(e.stage, 'limit');
    assert.equal(e.message, 'dcraw_emu was killed: it used up its CPU time limit (1 s)');
    const wasmSpin = await script('spin.mjs', 'for (;;);\n');
    const w = await failure(
      new WasmRawDecoder({ childUrl: pathToFileURL(wasmSpin), limits: { cpuSeconds: 1 }, timeoutMs: 60_000 }).decode(nef, request),
    );
    assert.equal(w.stage, 'limit');
    assert.equal(w.message, 'libraw-wasm was killed: it used up its CPU time limit (1 s)');
  });

  it('real RAW files in a private 0700 scratch dir decode as the sandbox user', async (t) => {
    t.diagnostic(`protections: ${sandbox.describe()}`);
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sandboxed-scratch-'));
    try {
      const input = path.join(scratch, 'input'); // as the batch worker names it
      await copyFile(nef, input);
      await chmod(input, 0o600);
      const native = await developRaw(input, thumbOnly, { decoder: INSTALLED_DECODER });
      assert.equal(native.source, INSTALLED_SOURCE);
      assert.deepEqual([native.width, native.height], [1006, 662]);
      const wasm = await developRaw(input, thumbOnly, { decoder: 'wasm' });
      assert.equal(wasm.source, 'libraw-wasm');
      assert.deepEqual([wasm.width, wasm.height], [1006, 662]);

      const crw = path.join(scratch, 'crw');
      await copyFile(fixture('raw', 'canon_eos_d30.crw'), crw);
      await chmod(crw, 0o600);
      if (NATIVE_RAW) {
        // simple_dcraw comes with dcraw_emu (libraw-bin); without it, previews come from wasm alone.
        const preview = await new NativeRawDecoder().extractPreview(crw);
        assert.deepEqual([preview?.extractor, preview?.width, preview?.height], ['simple_dcraw', 1440, 960]);
      }
      const wasmPreview = await new WasmRawDecoder().extractPreview(crw);
      assert.deepEqual([wasmPreview?.extractor, wasmPreview?.width, wasmPreview?.height], ['libraw-wasm', 1440, 960]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
