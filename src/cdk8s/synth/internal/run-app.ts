import { spawn } from 'node:child_process';
import { SynthAppError } from '../synth-app-error.js';

/**
 * Runs the app's command through the shell in the repository folder with
 * CDK8S_OUTDIR pointing at `outdir`. Resolves with what it printed on stderr
 * (warnings); rejects with SynthAppError carrying it when the app fails.
 */
export function runApp(command: string, cwd: string, outdir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      cwd,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CDK8S_OUTDIR: outdir },
    });
    let stderr = '';
    // What the app prints is diagnostics, never data: both streams go to the report's stderr.
    child.stdout.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', (e) => reject(new SynthAppError(command, null, e.message)));
    child.on('close', (code) => (code === 0 ? resolve(stderr) : reject(new SynthAppError(command, code, stderr))));
  });
}
