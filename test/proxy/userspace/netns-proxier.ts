// Drives a UserspaceProxier inside a network namespace (netns-agent.ts) from a test.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { UserspaceListenerInfo, UserspaceSyncResult } from '../../../src/proxy/userspace/proxier.js';
import type { AgentConfig, AgentReply, AgentRequest } from './netns-agent.js';

const AGENT = fileURLToPath(new URL('./netns-agent.js', import.meta.url));

type Op = AgentRequest extends infer R ? (R extends { op: string } ? Omit<R, 'id'> : never) : never;

export class NetnsProxier {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m: AgentReply) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`agent: ${m.error}`));
      else p?.resolve(m.value);
    });
    child.once('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`agent exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  /** Starts the agent in `netns` and waits until it is ready. */
  static async start(netns: string, config: AgentConfig): Promise<NetnsProxier> {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, AGENT, JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const agent = new NetnsProxier(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('agent not ready after 10 s')), 10_000);
      child.on('message', (m: AgentReply) => {
        if (!('ready' in m)) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`agent exited before it was ready (${code})`));
      });
    }).catch((e: Error) => {
      agent.kill();
      throw e;
    });
    return agent;
  }

  sync(services: Service[], slices: EndpointSlice[]): Promise<UserspaceSyncResult> {
    return this.call({ op: 'sync', services, slices }) as Promise<UserspaceSyncResult>;
  }

  listing(): Promise<UserspaceListenerInfo[]> {
    return this.call({ op: 'listing' }) as Promise<UserspaceListenerInfo[]>;
  }

  async squat(host: string, port: number): Promise<void> {
    await this.call({ op: 'squat', host, port });
  }

  async unsquat(): Promise<void> {
    await this.call({ op: 'unsquat' });
  }

  /** Closes the proxier and its local addresses, then lets the agent exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.call({ op: 'close' });
    this.child.disconnect();
    await this.exited;
  }

  /** For cleanup after a failure: the namespace's deletion takes its addresses with it. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private call(op: Op): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, ...op } as AgentRequest);
    });
  }
}
