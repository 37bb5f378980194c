import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { connect } from './client.js';
import { animalsAddCommand, type AnimalsAddOptions, animalsListCommand } from './commands/animals.js';
import { jobsCancelCommand, jobsDownloadCommand, jobsListCommand, jobsRetryCommand, jobsShowCommand } from './commands/jobs.js';
import { loginCommand } from './commands/login.js';
import { photosAddCommand } from './commands/photos.js';
import { uploadCommand, type UploadOptions } from './commands/upload.js';
import { EXIT, Output, reportFailure } from './output.js';

/** `revela`: the command-line client of the Revela API, built on the SDK (libs/sdk). */
const program = new Command('revela')
  .description('Upload RAW batches and animal photos to Revela.')
  .option('--json', 'print one JSON document on stdout (for scripts)')
  .option('--api-url <url>', 'the API base URL (default: the stored one, REVELA_API_URL, or http://127.0.0.1:3000)')
  .showHelpAfterError()
  .exitOverride();

type Globals = { json?: boolean; apiUrl?: string };

/** Runs a command with the global options; failures print the API's problem and set the exit code. */
function run(action: (out: Output, globals: Globals) => Promise<number>) {
  return async () => {
    const globals = program.opts<Globals>();
    const out = new Output(Boolean(globals.json));
    try {
      process.exitCode = await action(out, globals);
    } catch (error) {
      process.exitCode = reportFailure(error, out.json);
    }
  };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new InvalidArgumentError('a whole number from 1 to 32');
  return n;
}

program
  .command('login')
  .description('store an API key in ~/.config/revela/config.json (0600); reads a prompt, a pipe, or REVELA_API_KEY')
  .option('--key <key>', 'the key (prefer the prompt or a pipe: arguments end up in shell history)')
  .action((options: { key?: string }) => run((out, g) => loginCommand({ apiUrl: g.apiUrl, key: options.key }, out))());

program
  .command('upload')
  .description('studio: upload RAW files into a job; re-run the same command to resume (nothing is sent twice)')
  .argument('<paths...>', 'a folder (sub-folders included, hidden files skipped) or files')
  .addOption(new Option('--job <id>', 'add the files to this existing draft job').conflicts('name'))
  .option('--name <name>', 'create a job with this name (default: the folder name, or the job this folder was last uploaded to)')
  .option('--preset <file.json>', 'processing preset as JSON (see POST /v1/jobs); with --job it replaces the draft’s preset')
  .option('--submit', 'submit the job once every file is uploaded (without it the job stays a draft)')
  .option('--wait', 'wait until the workers have finished the job (implies --submit)')
  .option('--download <dir>', 'save the job’s ZIP into this folder (implies --wait)')
  .option('--concurrency <n>', 'files uploaded at once', positiveInt, 4)
  .addHelpText(
    'after',
    `
--download implies --wait, which implies --submit. Progress is kept in .revela-upload.json in the
folder (for files: the folder holding them all); after Ctrl-C or a dropped connection, run the same
command again. Network errors are retried with backoff.

Examples:
  revela upload /media/card/DCIM --name "Wedding Silva" --download ~/zips
  revela upload a.nef b.nef --name "Proofs"          # a draft; add more later:
  revela upload c.nef --job <jobId> --submit --wait`,
  )
  .action((paths: string[], options: UploadOptions) =>
    run(async (out, g) => {
      const { client, apiUrl } = await connect(g.apiUrl);
      return uploadCommand(client, apiUrl, paths, options, out);
    })(),
  );

const jobs = program.command('jobs').description('studio: jobs');
jobs
  .command('list')
  .description('list jobs, newest first')
  .addOption(
    new Option('--status <status>', 'only jobs in this status').choices([
      'draft',
      'queued',
      'processing',
      'completed',
      'completed_with_errors',
      'failed',
      'canceled',
    ]),
  )
  .action((options: { status?: 'draft' }) => run(async (out, g) => jobsListCommand((await connect(g.apiUrl)).client, options, out))());
jobs
  .command('show')
  .description('a job with every file, its status and failure reason')
  .argument('<jobId>')
  .action((id: string) => run(async (out, g) => jobsShowCommand((await connect(g.apiUrl)).client, id, out))());

jobs
  .command('cancel')
  .description('cancel a draft, queued or processing job')
  .argument('<jobId>')
  .action((id: string) => run(async (out, g) => jobsCancelCommand((await connect(g.apiUrl)).client, id, out))());
jobs
  .command('retry')
  .description('send the failed files of a finished job back to the workers')
  .argument('<jobId>')
  .action((id: string) => run(async (out, g) => jobsRetryCommand((await connect(g.apiUrl)).client, id, out))());
jobs
  .command('download')
  .description('save the ZIP of a finished job')
  .argument('<jobId>')
  .option('--output <dir>', 'where to save it (default: the current folder)')
  .action((id: string, options: { output?: string }) =>
    run(async (out, g) => jobsDownloadCommand((await connect(g.apiUrl)).client, id, options, out))(),
  );

const animals = program.command('animals').description('clinic: animals');
animals
  .command('list')
  .description('list animals, optionally matching a search or of one species')
  .option('--search <text>', 'name, microchip or tutor name (case-insensitive)')
  .option('--species <species>', 'only this species (dog, cat, …)')
  .action((options: { search?: string; species?: string }) =>
    run(async (out, g) => animalsListCommand((await connect(g.apiUrl)).client, options, out))(),
  );
animals
  .command('add')
  .description('register an animal; the API checks every field and names each one it refuses')
  .option('--name <name>', 'the animal’s name (required)')
  .option('--species <species>', 'dog, cat, … (required)')
  .option('--tutor <name>', 'the tutor’s (owner’s) name (required)')
  .option('--tutor-phone <phone>')
  .option('--tutor-email <email>')
  .option('--sex <sex>', 'female, male or unknown')
  .option('--breed <breed>')
  .option('--birth-date <YYYY-MM-DD>')
  .option('--microchip <id>')
  .option('--weight <kg>')
  .option('--neutered', 'neutered or spayed')
  .option('--no-neutered', 'not neutered')
  .option('--notes <text>')
  .action((options: AnimalsAddOptions) => run(async (out, g) => animalsAddCommand((await connect(g.apiUrl)).client, options, out))());

const photos = program.command('photos').description('clinic: animal photos');
photos
  .command('add')
  .description('upload photos of an animal and wait until each is ready or failed')
  .argument('<animalId>')
  .argument('<files...>')
  .option('--no-wait', 'exit once uploaded, without waiting for the thumbnails')
  .action((animalId: string, files: string[], options: { wait: boolean }) =>
    run(async (out, g) => photosAddCommand((await connect(g.apiUrl)).client, animalId, files, options, out))(),
  );

// Ctrl-C: everything finished so far is already recorded (see upload/state.ts), so say how to go on.
process.once('SIGINT', () => {
  process.stderr.write(
    '\nrevela: interrupted. Run `revela upload` again with the same arguments to resume; uploaded files are not sent twice.\n',
  );
  process.exit(130);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode =
      error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
  } else {
    process.exitCode = reportFailure(error, false);
  }
}
