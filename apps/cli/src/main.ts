import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { connect } from './client.js';
import { jobsListCommand, jobsShowCommand } from './commands/jobs.js';
import { loginCommand } from './commands/login.js';
import { photosAddCommand } from './commands/photos.js';
import { uploadCommand } from './commands/upload.js';
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
  .description('studio: upload a folder of RAW files as a job, submit it, wait, and download the ZIP; re-run to resume')
  .argument('<folder>', 'folder with the files (sub-folders included, hidden files skipped)')
  .requiredOption('--job-name <name>', 'the job name (also the ZIP name)')
  .option('--preset <file.json>', 'processing preset as JSON (see POST /v1/jobs)')
  .option('--concurrency <n>', 'files uploaded at once', positiveInt, 4)
  .option('--no-wait', 'submit and exit without waiting for the job')
  .option('--output <folder>', 'where to save the ZIP (default: the uploaded folder)')
  .action((folder: string, options: { jobName: string; preset?: string; concurrency: number; wait: boolean; output?: string }) =>
    run(async (out, g) => {
      const { client, apiUrl } = await connect(g.apiUrl);
      return uploadCommand(client, apiUrl, folder, options, out);
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
