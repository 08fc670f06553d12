// The process runtime's records on disk, so a new runtime over the same state directory (kubets
// restarted, or crashed) finds its sandboxes and containers again and adopts processes still
// running. Layout under the state directory:
//
//   records/sandboxes/<id>.json    a sandbox: its config, state and network
//   records/containers/<id>.json   a container: its config, state, pid and pid start time, exit
//   sandboxes/<id>/                the sandbox's directory (its containers' default working dir)
//
// Records hold the containers' environment (secrets included), hence owner-only modes.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig, ContainerState, PodSandboxConfig, PodSandboxState } from '../types.js';
import type { SandboxNetworkStatus } from './network.js';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  /** Nanoseconds since the epoch, as a decimal string (JSON has no bigint). */
  createdAt: string;
  dir: string;
  network: SandboxNetworkStatus;
}

export interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  /** Absolute: the sandbox's logDirectory joined with config.logPath. */
  logPath: string;
  state: ContainerState;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  reason: string;
  message: string;
  pid?: number;
  /** /proc/<pid>/stat field 22 of the process when it started: tells it apart from a reused pid. */
  pidStartTime?: number;
  /** Set when a restarted runtime adopted the process: its output is no longer captured. */
  logsStopped?: boolean;
}

export class RecordStore {
  private readonly sandboxRecords: string;
  private readonly containerRecords: string;

  constructor(readonly stateDir: string) {
    this.sandboxRecords = join(stateDir, 'records', 'sandboxes');
    this.containerRecords = join(stateDir, 'records', 'containers');
    for (const dir of [stateDir, this.sandboxRecords, this.containerRecords, join(stateDir, 'sandboxes')]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
  }

  sandboxDir(id: string): string {
    return join(this.stateDir, 'sandboxes', id);
  }

  saveSandbox(record: SandboxRecord): void {
    writeAtomically(join(this.sandboxRecords, `${record.id}.json`), record);
  }

  saveContainer(record: ContainerRecord): void {
    writeAtomically(join(this.containerRecords, `${record.id}.json`), record);
  }

  deleteSandbox(id: string): void {
    rmSync(join(this.sandboxRecords, `${id}.json`), { force: true });
    rmSync(this.sandboxDir(id), { recursive: true, force: true });
  }

  deleteContainer(id: string): void {
    rmSync(join(this.containerRecords, `${id}.json`), { force: true });
  }

  /** Every record; unreadable ones are skipped and named in `errors`. */
  load(): { sandboxes: SandboxRecord[]; containers: ContainerRecord[]; errors: string[] } {
    const errors: string[] = [];
    const sandboxes = readRecords<SandboxRecord>(this.sandboxRecords, errors);
    const containers = readRecords<ContainerRecord>(this.containerRecords, errors);
    return { sandboxes, containers, errors };
  }
}

/**
 * Write to a temporary file, then rename over the record: a crash leaves the old record or the new
 * one, never half of one. Synchronous so that successive writes of one record land in order.
 * (No fsync: the records must survive kubets dying, and a machine crash takes the processes too.)
 */
function writeAtomically(path: string, record: object): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

function readRecords<T extends { id: string }>(dir: string, errors: string[]): T[] {
  const out: T[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!name.endsWith('.json')) {
      // A temporary file left by a crash mid-write: the record it was replacing is still there.
      if (name.includes('.json.tmp-')) rmSync(path, { force: true });
      continue;
    }
    try {
      const record = JSON.parse(readFileSync(path, 'utf8')) as T;
      if (typeof record.id !== 'string' || `${record.id}.json` !== name) throw new Error('id does not match the file name');
      out.push(record);
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
    }
  }
  return out;
}
