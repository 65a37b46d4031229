// Runs the lab CLI as a user does, `npm run lab -- ...`, in a child
// process; what the CLI tests assert on.
import { execFile } from 'node:child_process';
import { ROOT } from '../../tools/lab/serve';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function lab(args: string[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'lab', '--', ...args],
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error
          ? typeof error.code === 'number'
            ? error.code
            : -1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
