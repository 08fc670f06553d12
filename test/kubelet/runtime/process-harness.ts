// Shared by the process runtime's test files: temporary roots and runtimes, all cleaned up (and
// every process a test saw killed) after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRuntime, type ProcessRuntimeOptions } from '../../../src/kubelet/runtime/process/index.js';
import { readProcStat } from '../../../src/kubelet/runtime/process/proc.js';

export const NODE_IP = '192.0.2.10';
export const NODE = process.execPath;
const roots: string[] = [];
const open: ProcessRuntime[] = [];
/** Pids a test saw: killed (group and all) after it, whatever happened. */
export const pids: number[] = [];

export function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'kubets-process-'));
  roots.push(root);
  return root;
}

export function newRuntime(root: string, options: Partial<ProcessRuntimeOptions> = {}): ProcessRuntime {
  const rt = new ProcessRuntime({ stateDir: join(root, 'state'), nodeIp: NODE_IP, ...options });
  open.push(rt);
  return rt;
}

/** Closes like a crash would leave it: containers keep running. */
export async function abandon(rt: ProcessRuntime): Promise<void> {
  open.splice(open.indexOf(rt), 1);
  await rt.close();
}

export async function cleanup(): Promise<void> {
  for (const rt of open.splice(0).reverse()) {
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
    await rt.close();
  }
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

export const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export const gone = (pid: number) => {
  const s = readProcStat(pid);
  return s === undefined || s.state === 'Z';
};
