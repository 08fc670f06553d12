// What the proxy benchmark must undo whatever happens: processes it started inside namespaces and
// the namespaces themselves. Every step is synchronous so that it can run from a signal handler
// and from the 'exit' event, where nothing asynchronous gets to run.
import { type ChildProcess, execFileSync } from 'node:child_process';

type Step = () => void;

const steps: Step[] = [];
let installed = false;

/** Runs the steps registered so far, newest first (processes before the namespaces they live in). */
export function runCleanup(): void {
  while (steps.length > 0) {
    const step = steps.pop()!;
    try {
      step();
    } catch {
      // Best effort: one failed step must not keep the others from running.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runCleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up\n`);
      runCleanup();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Registers a step; the returned function runs it now (once) and forgets it. */
export function onCleanup(step: Step): () => void {
  install();
  let done = false;
  const once: Step = () => {
    if (done) return;
    done = true;
    step();
  };
  steps.push(once);
  return () => {
    const i = steps.indexOf(once);
    if (i >= 0) steps.splice(i, 1);
    once();
  };
}

/** Creates a network namespace that is deleted at cleanup; returns its deleter. */
export function addNetns(name: string): () => void {
  execFileSync('ip', ['netns', 'add', name], { stdio: ['ignore', 'ignore', 'pipe'] });
  return onCleanup(() => execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }));
}

/** Kills a child at cleanup (SIGKILL: nothing of it is worth keeping); returns its killer. */
export function killAtCleanup(child: ChildProcess): () => void {
  return onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}
