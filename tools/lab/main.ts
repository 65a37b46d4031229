// Entry point of `npm run lab`; see cli.ts, or run `npm run lab -- --help`.
import { Cleanup, runCli, terminalIo } from './cli';

const cleanup = new Cleanup();

// Closing the browser ends the run in the page; exit with the shell's
// code for a signal (128 + its number).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    cleanup.interrupted = true;
    process.stderr.write(
      `\nlab: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}\n`,
    );
    void cleanup.run().then(() => process.exit(code));
  });
}

process.exitCode = await runCli(process.argv.slice(2), terminalIo(), cleanup);
