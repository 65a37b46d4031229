// Entry point of `npm run lab`; see cli.ts, or run `npm run lab -- --help`.
import { Cleanup, runCli, terminalIo } from './cli';

const cleanup = new Cleanup();

process.once('SIGINT', () => {
  process.stderr.write('\nlab: interrupted\n');
  void cleanup.run().then(() => process.exit(130));
});

process.exitCode = await runCli(process.argv.slice(2), terminalIo(), cleanup);
