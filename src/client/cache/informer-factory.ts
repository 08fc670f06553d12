// One shared informer per resource for all of a process's controllers (client-go's
// SharedInformerFactory): the first for() creates it, start() runs every informer asked for,
// waitForCacheSync() resolves once each has listed.
import { setMaxListeners } from 'node:events';
import type { Logger } from '../../logging/index.js';
import type { Client, KubeObject, PartialObjectMetadata, ResourceType } from '../types.js';
import { Informer } from './shared-informer.js';
import type { SharedInformer } from './types.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private signal: AbortSignal | undefined;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly client: Client,
    private readonly logger: Logger,
  ) {}

  for<T extends KubeObject>(type: ResourceType): SharedInformer<T> {
    return this.get(type, false) as unknown as SharedInformer<T>;
  }

  /** A cache of metadata only (PartialObjectMetadata), for controllers that read no spec. */
  forMetadata(type: ResourceType): SharedInformer<PartialObjectMetadata> {
    return this.get(type, true);
  }

  private get(type: ResourceType, metadataOnly: boolean): Informer<KubeObject> {
    const id = `${metadataOnly ? 'meta:' : ''}${type.group}/${type.version}/${type.resource}`;
    let inf = this.informers.get(id);
    if (!inf) {
      const rc = metadataOnly ? this.client.metadata(type) : this.client.resource(type);
      inf = new Informer(rc, this.logger);
      this.informers.set(id, inf);
      if (this.signal) this.running.push(inf.run(this.signal));
    }
    return inf;
  }

  /** Runs every informer (and any asked for later) until the signal aborts. */
  start(signal: AbortSignal): void {
    if (this.signal) return;
    this.signal = signal;
    // Every informer's open watch listens on this one signal: past ten, Node would warn of a leak.
    setMaxListeners(0, signal);
    for (const inf of this.informers.values()) this.running.push(inf.run(signal));
  }

  /** True once every informer has listed; false if the signal aborted first. */
  async waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    let wait = 5;
    while (!signal.aborted) {
      if (this.signal && [...this.informers.values()].every((i) => i.hasSynced())) return true;
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 100);
    }
    return false;
  }

  /** Resolves when every informer has stopped (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.running);
  }
}
