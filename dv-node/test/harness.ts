/**
 * Integration-test harness: `dv-node run` as real child processes (node --import tsx dv-node/src/cli.ts run …),
 * their structured (JSON) log lines collected for assertions, and free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

export type LogLine = Record<string, unknown> & { msg: string; level: string };

/** Free TCP ports on 127.0.0.1 (bound then released; tiny race acceptable in tests). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

export class NodeProcess {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  child: ChildProcess | undefined;
  generation = 0;
  #waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  constructor(
    readonly name: string,
    readonly args: string[],
  ) {}

  start(extra: string[] = []): void {
    this.generation++;
    const gen = this.generation;
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', ...this.args, ...extra], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let line: LogLine;
        try {
          line = { ...(JSON.parse(raw) as LogLine), generation: gen };
        } catch {
          continue;
        }
        this.lines.push(line);
        this.#waiters = this.#waiters.filter((w) => {
          if (!w.pred(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => void this.stderr.push(chunk));
  }

  /** Resolves with the first log line (already seen or future) matching `pred`; rejects after `timeoutMs`. */
  waitFor(pred: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (l: LogLine) => (clearTimeout(t), resolve(l)) };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(new Error(`${this.name}: no log line "${what}" within ${timeoutMs} ms; stderr: ${this.stderr.join('').slice(-2000)}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  /** Sends `signal` and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    await exited;
  }
}

/**
 * Runs the dv-node CLI as a child process (so the caller's event loop, which may be running the beacon chain, stays
 * free); killed after `timeoutMs`. `running`, if given, holds the child until it exits (for cleanup in `after`).
 */
export function runCli(args: string[], timeoutMs: number, running?: Set<ChildProcess>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    running?.add(c);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      c.kill('SIGKILL');
    }, timeoutMs);
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    c.on('exit', (status) => {
      running?.delete(c);
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
