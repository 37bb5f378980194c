import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { image } from '../clinic/photo-helpers.js';
import { REVELA_BIN, runCli, startCli } from '../support/cli.js';
import { fixture } from '../support/fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { readZip } from '../support/zip.js';

/**
 * The real `revela` process (apps/cli/bin/revela.js) against the real system: PostgreSQL, S3, the
 * thumbnail Lambda on S3 events and batch workers from the local launcher.
 */
describe('revela CLI', () => {
  let t: TestApp;
  let scratch: string;

  before(async () => {
    // S3 behind the fault proxy, so a test can reset upload connections as a flaky network would.
    t = await startTestApp({ IDLE_SHUTDOWN_SECONDS: '3' }, { thumbnails: true, s3Proxy: true });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'revela-cli-test-'));
  });
  after(async () => {
    await t?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  /** Polls the job until its workers are done with it. */
  async function finished(key: string, jobId: string): Promise<{ status: string }> {
    for (;;) {
      const job = await t.http().get(`/v1/jobs/${jobId}`).set('Authorization', `Bearer ${key}`);
      if (['completed', 'completed_with_errors', 'failed', 'canceled'].includes(job.body.status)) return job.body;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function home(): Promise<string> {
    const dir = path.join(scratch, `home-${randomUUID()}`);
    await mkdir(dir);
    return dir;
  }

  it("login stores a checked key in a 0600 config file that later commands use; a wrong key is refused with the API's reason", async () => {
    const studio = await t.createTenant('studio', 'Studio Lumen');
    const dir = await home();

    const notSignedIn = await runCli(['jobs', 'list'], { home: dir, env: { REVELA_API_URL: t.baseUrl } });
    assert.equal(notSignedIn.code, 2);
    assert.match(notSignedIn.stderr, /revela login/);

    const wrong = await runCli(['--api-url', t.baseUrl, 'login'], { home: dir, input: 'rvl_wrong_key_000000000000000000000000000\n' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /HTTP 401/);
    await assert.rejects(stat(path.join(dir, '.config/revela/config.json')), 'nothing is stored for a refused key');

    const login = await runCli(['--api-url', t.baseUrl, 'login'], { home: dir, input: `${studio.key}\n` });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Signed in to Studio Lumen \(studio\)/);
    assert.ok(!login.stdout.includes(studio.key), 'the key is not printed');
    const file = path.join(dir, '.config/revela/config.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { apiUrl: t.baseUrl, apiKey: studio.key });

    const listed = await runCli(['--json', 'jobs', 'list'], { home: dir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), { items: [] });

    const missing = await runCli(['jobs', 'show', randomUUID()], { home: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^revela: .*HTTP 404/m);
  });

  it('upload: an interrupted run resumes (files already uploaded are skipped), then submits, waits and downloads the ZIP; jobs download and retry', async () => {
    const studio = await t.createTenant('studio');
    const env = { REVELA_API_KEY: studio.key, REVELA_API_URL: t.baseUrl };
    const dir = await home();
    const card = path.join(scratch, `card-${randomUUID()}`);
    await mkdir(path.join(card, 'DCIM', '100LG'), { recursive: true });
    const names = ['a_lg.dng', 'b_kodak.kdc', 'c_broken.dng', 'd_lg.dng', 'e_kodak.kdc'];
    const sources = [
      fixture('raw', 'lg_g4_h815_sample_1mp.dng'),
      fixture('raw', 'kodak_dc50.kdc'),
      fixture('raw', 'broken', 'iphone12pro_pruned.dng'),
      fixture('raw', 'lg_g4_h815_sample_1mp.dng'),
      fixture('raw', 'kodak_dc50.kdc'),
    ];
    for (const [i, name] of names.entries()) await copyFile(sources[i], path.join(card, 'DCIM', '100LG', name));
    const preset = path.join(scratch, `preset-${randomUUID()}.json`);
    await writeFile(preset, JSON.stringify({ variants: [{ name: 'web', longEdge: 640, format: 'jpeg', quality: 80 }] }));
    const zips = path.join(scratch, `zips-${randomUUID()}`);

    // First run: one file at a time, stopped with Ctrl-C as soon as one file is reported uploaded.
    const command = ['upload', card, '--name', 'Card 7', '--preset', preset, '--download', zips];
    const first = startCli([...command, '--concurrency', '1'], { home: dir, env });
    await first.stderrMatches(/\] uploaded /);
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    assert.equal(interrupted.code, 130);
    assert.match(interrupted.stderr, /interrupted\. Run `revela upload` again with the same arguments to resume/);
    const state = JSON.parse(await readFile(path.join(card, '.revela-upload.json'), 'utf8'));
    const uploadedBefore = Object.values(state.files as Record<string, { uploaded: boolean }>).filter((f) => f.uploaded).length;
    assert.ok(uploadedBefore >= 1 && uploadedBefore < names.length, `interrupted part way (${uploadedBefore} uploaded)`);
    const draft = await t.http().get(`/v1/jobs/${state.jobId}`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(draft.body.status, 'draft', 'not submitted before every file is up');

    // Second run: the same command resumes the same job; --download implies --wait and --submit.
    const second = await runCli(['--json', ...command], { home: dir, env });
    assert.equal(second.code, 3, `completed with errors exits 3:\n${second.stderr}`);
    assert.match(second.stderr, new RegExp(`Skipping ${uploadedBefore} files already uploaded`));
    assert.match(second.stderr, /Submitted job Card 7/);
    const result = JSON.parse(second.stdout);
    assert.equal(result.job.id, state.jobId, 'the same job');
    assert.equal(result.job.status, 'completed_with_errors');
    assert.equal(result.job.fileCounts.total, names.length, 'no file was declared twice');
    assert.equal(result.job.fileCounts.done, 4);
    assert.deepEqual(
      result.failedFiles.map((f: { filename: string }) => f.filename),
      ['c_broken.dng'],
    );
    assert.ok(result.failedFiles[0].error.length > 5, 'the failure reason');
    assert.equal(result.zip, path.join(zips, 'Card 7.zip'));
    const developed = ['a_lg_web.jpg', 'b_kodak_web.jpg', 'd_lg_web.jpg', 'e_kodak_web.jpg'];
    assert.deepEqual([...(await readZip(await readFile(result.zip))).keys()].sort(), developed);

    const shown = await runCli(['jobs', 'show', state.jobId], { home: dir, env });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /completed with errors/);
    assert.match(shown.stdout, new RegExp(`failed +c_broken.dng: ${result.failedFiles[0].error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const listed = JSON.parse((await runCli(['--json', 'jobs', 'list', '--status', 'completed_with_errors'], { home: dir, env })).stdout);
    assert.deepEqual(
      listed.items.map((j: { name: string }) => j.name),
      ['Card 7'],
    );

    const elsewhere = path.join(scratch, `elsewhere-${randomUUID()}`);
    const downloaded = await runCli(['--json', 'jobs', 'download', state.jobId, '--output', elsewhere], { home: dir, env });
    assert.equal(downloaded.code, 0, downloaded.stderr);
    assert.equal(JSON.parse(downloaded.stdout).zip, path.join(elsewhere, 'Card 7.zip'));
    assert.deepEqual([...(await readZip(await readFile(path.join(elsewhere, 'Card 7.zip')))).keys()].sort(), developed);

    const retried = await runCli(['--json', 'jobs', 'retry', state.jobId], { home: dir, env });
    assert.equal(retried.code, 0, retried.stderr);
    const { requeued, job: requeuedJob } = JSON.parse(retried.stdout);
    assert.equal(requeued, 1, 'the failed file went back to the queue');
    assert.notEqual(requeuedJob.status, 'completed_with_errors');
    assert.equal((await finished(studio.key, state.jobId)).status, 'completed_with_errors', 'the broken file fails again');
    const again = await runCli(['jobs', 'retry', randomUUID()], { home: dir, env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /HTTP 404/);
  });

  it('upload: files (not a folder) make a draft that --job adds to; cancel; a canceled job takes no files', async () => {
    const studio = await t.createTenant('studio');
    const env = { REVELA_API_KEY: studio.key, REVELA_API_URL: t.baseUrl };
    const dir = await home();
    const folder = path.join(scratch, `loose-${randomUUID()}`);
    await mkdir(folder);
    await copyFile(fixture('raw', 'kodak_dc50.kdc'), path.join(folder, 'one.kdc'));
    await copyFile(fixture('raw', 'lg_g4_h815_sample_1mp.dng'), path.join(folder, 'two.dng'));
    await copyFile(fixture('raw', 'kodak_dc50.kdc'), path.join(folder, 'three.kdc'));

    const created = await runCli(['--json', 'upload', path.join(folder, 'one.kdc'), '--name', 'Loose'], { home: dir, env });
    assert.equal(created.code, 0, created.stderr);
    const { job } = JSON.parse(created.stdout);
    assert.equal(job.status, 'draft', 'without --submit the job stays a draft');
    assert.equal(job.fileCounts.total, 1);

    const added = await runCli(['--json', 'upload', path.join(folder, 'two.dng'), path.join(folder, 'three.kdc'), '--job', job.id], {
      home: dir,
      env,
    });
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).job.id, job.id);
    assert.equal(JSON.parse(added.stdout).job.fileCounts.total, 3);
    const files = await t.http().get(`/v1/jobs/${job.id}/files`).set('Authorization', `Bearer ${studio.key}`);
    assert.deepEqual(files.body.items.map((f: { filename: string }) => f.filename).sort(), ['one.kdc', 'three.kdc', 'two.dng']);

    const both = await runCli(['upload', folder, '--job', job.id, '--name', 'x'], { home: dir, env });
    assert.equal(both.code, 2, 'usage error');
    assert.match(both.stderr, /cannot be used with/);

    const canceled = await runCli(['--json', 'jobs', 'cancel', job.id], { home: dir, env });
    assert.equal(canceled.code, 0, canceled.stderr);
    assert.equal(JSON.parse(canceled.stdout).job.status, 'canceled');
    const twice = await runCli(['jobs', 'cancel', job.id], { home: dir, env });
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /only draft, queued or processing jobs can be canceled.*HTTP 409/);

    const late = await runCli(['upload', path.join(folder, 'one.kdc'), '--job', job.id], { home: dir, env });
    assert.equal(late.code, 1);
    assert.match(late.stderr, /is canceled: files can be added to a draft only/);
    const notYet = await runCli(['jobs', 'download', job.id], { home: dir, env });
    assert.equal(notYet.code, 1, 'no ZIP for a canceled job');
  });

  it('upload: files above 100 MB go up as multipart uploads; reset connections (a part, a whole file) are retried', async () => {
    const studio = await t.createTenant('studio');
    const env = { REVELA_API_KEY: studio.key, REVELA_API_URL: t.baseUrl };
    const folder = path.join(scratch, `big-${randomUUID()}`);
    await mkdir(folder);
    const big = Buffer.alloc(101 * 1024 * 1024 + 12345, 0x5a);
    await writeFile(path.join(folder, 'huge.nef'), big);
    await copyFile(fixture('raw', 'kodak_dc50.kdc'), path.join(folder, 'small.kdc'));
    // The network drops the first PUT of a part and the first PUT of a whole file.
    const cut = { part: 0, whole: 0 };
    t.s3Proxy!.cut = (method, url) => {
      if (method !== 'PUT') return false;
      const kind = url.searchParams.has('partNumber') ? 'part' : 'whole';
      return ++cut[kind] === 1;
    };
    try {
      const run = await runCli(['--json', 'upload', folder, '--name', 'Big', '--submit'], { home: await home(), env });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        { part: cut.part > 1, whole: cut.whole > 1 },
        { part: true, whole: true },
        `both kinds were cut once, then sent again (${JSON.stringify(cut)})`,
      );
      const { job } = JSON.parse(run.stdout);
      assert.equal(job.status === 'queued' || job.status === 'processing' || job.status === 'failed', true, `submitted (${job.status})`);
      const files = await t.http().get(`/v1/jobs/${job.id}/files`).set('Authorization', `Bearer ${studio.key}`);
      assert.deepEqual(
        files.body.items.map((f: { filename: string; bytes: number }) => [f.filename, f.bytes]).sort(),
        [
          ['huge.nef', big.length],
          ['small.kdc', (await stat(fixture('raw', 'kodak_dc50.kdc'))).size],
        ],
        'the submit checked each stored object has every byte',
      );
      await finished(studio.key, job.id);
    } finally {
      t.s3Proxy!.cut = undefined;
    }
  });

  it('server validation errors are printed field by field, with a non-zero exit code', async () => {
    const studio = await t.createTenant('studio');
    const folder = path.join(scratch, `v-${randomUUID()}`);
    await mkdir(folder);
    await copyFile(fixture('raw', 'kodak_dc50.kdc'), path.join(folder, 'x.kdc'));
    const run = await runCli(['upload', folder, '--name', 'x'.repeat(201)], {
      home: await home(),
      env: { REVELA_API_KEY: studio.key, REVELA_API_URL: t.baseUrl },
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /HTTP 400/);
    assert.match(run.stderr, /^ {2}name: .+/m);
  });

  it('animals add registers an animal or prints the server’s field errors one per line; animals list searches and filters', async () => {
    const clinic = await t.createTenant('clinic');
    const env = { REVELA_API_KEY: clinic.key, REVELA_API_URL: t.baseUrl };
    const dir = await home();
    const add = (...args: string[]) => runCli(['--json', 'animals', 'add', ...args], { home: dir, env });

    const rex = await add(
      '--name',
      'Rex',
      '--species',
      'dog',
      '--tutor',
      'Maria Silva',
      '--microchip',
      '900 123 456 789 012',
      '--weight',
      '12.5',
    );
    assert.equal(rex.code, 0, rex.stderr);
    const { animal } = JSON.parse(rex.stdout);
    assert.deepEqual(
      [animal.name, animal.species, animal.tutor.name, animal.microchipId, animal.weightKg],
      ['Rex', 'dog', 'Maria Silva', '900123456789012', 12.5],
    );
    assert.equal((await add('--name', 'Mia', '--species', 'cat', '--tutor', 'João Costa', '--neutered')).code, 0);
    const human = await runCli(['animals', 'add', '--name', 'Bolt', '--species', 'dog', '--tutor', 'Ana'], { home: dir, env });
    assert.match(human.stdout, /^Registered Bolt \(dog\) as [0-9a-f-]{36}\.$/m);

    const bad = await runCli(['animals', 'add', '--name', 'Nessie', '--species', 'dragon', '--weight', 'heavy', '--tutor-email', 'nope'], {
      home: dir,
      env,
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /HTTP 400/);
    assert.match(bad.stderr, /^ {2}species: .+/m);
    assert.match(bad.stderr, /^ {2}weightKg: .+/m);
    assert.match(bad.stderr, /^ {2}tutor\.name: .+/m);
    assert.match(bad.stderr, /^ {2}tutor\.email: .+/m);
    const badJson = await add('--name', 'Nessie', '--species', 'dragon', '--tutor', 'Ana');
    assert.equal(badJson.code, 1);
    assert.deepEqual(
      JSON.parse(badJson.stdout).error.errors.map((e: { field: string }) => e.field),
      ['species'],
    );

    const list = async (...args: string[]) => {
      const run = await runCli(['--json', 'animals', 'list', ...args], { home: dir, env });
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout)
        .items.map((a: { name: string }) => a.name)
        .sort();
    };
    assert.deepEqual(await list(), ['Bolt', 'Mia', 'Rex']);
    assert.deepEqual(await list('--species', 'dog'), ['Bolt', 'Rex']);
    assert.deepEqual(await list('--search', 'silva'), ['Rex'], 'by tutor name');
    assert.deepEqual(await list('--search', '900123'), ['Rex'], 'by microchip');
    const text = await runCli(['animals', 'list', '--species', 'cat'], { home: dir, env });
    assert.match(text.stdout, /^[0-9a-f-]{36} {2}cat +Mia {2}\(tutor: João Costa\)$/m);
    const wrong = await runCli(['animals', 'list', '--species', 'dragon'], { home: dir, env });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /species/);
  });

  it('photos add uploads several photos with progress and reports each ready or failed with the reason', async () => {
    const clinic = await t.createTenant('clinic');
    const animal = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', `Bearer ${clinic.key}`)
      .send({ name: 'Bolinha', species: 'dog', tutor: { name: 'Maria' } });
    assert.equal(animal.status, 201);
    const folder = path.join(scratch, `photos-${randomUUID()}`);
    await mkdir(folder);
    await writeFile(path.join(folder, 'front.jpg'), image('orientation_6.jpg'));
    await writeFile(path.join(folder, 'broken.jpg'), image('truncated_10000_bytes.jpg'));
    await writeFile(path.join(folder, 'notes.txt'), 'not a photo');
    const env = { REVELA_API_KEY: clinic.key, REVELA_API_URL: t.baseUrl };
    const files = ['front.jpg', 'broken.jpg', 'notes.txt'].map((f) => path.join(folder, f));

    const run = await runCli(['--json', 'photos', 'add', animal.body.id, ...files], { home: await home(), env });
    assert.equal(run.code, 1, 'a failed photo makes the run fail');
    const { photos } = JSON.parse(run.stdout);
    assert.equal(photos[0].photo.status, 'ready');
    assert.equal(photos[0].error, null);
    assert.equal(photos[1].photo.status, 'failed');
    assert.equal(photos[1].error, photos[1].photo.failureReason);
    assert.equal(photos[2].photo, null);
    assert.match(photos[2].error, /must be one of image\/jpeg.*got "application\/octet-stream"/, 'the 415 problem detail');

    const human = await runCli(['photos', 'add', animal.body.id, files[0]], { home: await home(), env });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stderr, /\[1\/1\] uploaded front\.jpg/);
    assert.match(human.stdout, /^ready {2}.*front\.jpg/m);
    const listed = await t.http().get(`/v1/animals/${animal.body.id}/photos`).set('Authorization', `Bearer ${clinic.key}`);
    assert.equal(listed.body.items.filter((p: { status: string }) => p.status === 'ready').length, 2);
  });

  it('on a terminal, draws progress bars for the uploads and the job', async () => {
    const studio = await t.createTenant('studio');
    const folder = path.join(scratch, `tty-${randomUUID()}`);
    await mkdir(folder);
    await copyFile(fixture('raw', 'lg_g4_h815_sample_1mp.dng'), path.join(folder, 'one.dng'));
    const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;
    const command = [process.execPath, REVELA_BIN, 'upload', folder, '--name', 'On a terminal', '--download', folder].map(quote).join(' ');
    // util-linux `script` gives the CLI a pseudo-terminal, as a person's shell would.
    // (asynchronously: the API under test runs in this very process)
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: await home(), TERM: 'xterm', REVELA_API_KEY: studio.key, REVELA_API_URL: t.baseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const run = { status, stdout };
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /[█░]+ 100% \| 1\/1 files \| [0-9.]+\/[0-9.]+ MB/, 'the overall upload bar');
    assert.match(run.stdout, /uploaded one\.dng/);
    assert.match(run.stdout, /developing [█░]+ 100% \| completed \| 1 done, 0 failed of 1/, 'the job bar');
    assert.match(run.stdout, /ZIP: .*On a terminal\.zip/);
  });

  it('login on a terminal asks for the key without echoing it', async () => {
    const clinic = await t.createTenant('clinic', 'Clínica Sol');
    const dir = await home();
    const command = [process.execPath, REVELA_BIN, '--api-url', t.baseUrl, 'login'].map((v) => `'${v}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const prompted = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('API key: ')) resolve();
      }),
    );
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await Promise.race([prompted, closed.then(() => assert.fail(`revela exited without asking for the key:\n${output}`))]);
    child.stdin.write(`${clinic.key}\r`);
    const status = await closed;
    assert.equal(status, 0, output);
    assert.match(output, /Signed in to Clínica Sol \(clinic\)/);
    assert.ok(!output.includes(clinic.key), 'the key never appears on the screen');
    assert.equal(JSON.parse(await readFile(path.join(dir, '.config/revela/config.json'), 'utf8')).apiKey, clinic.key);
  });
});
