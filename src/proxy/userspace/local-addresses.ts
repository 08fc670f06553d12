// Makes service addresses local to this host so that the userspace proxy can bind sockets to
// them: each missing address is added as a /32 on one interface (loopback by default), as
// upstream's ipvs mode puts clusterIPs on its kube-ipvs0 dummy device. Every address it adds
// carries a label ("lo:kubets"), so that it only ever removes its own, and so that after a restart
// a new instance finds and removes what the previous one left behind.
import net from 'node:net';
import { IpCommandError, ipBatch, type IpLinkAddresses, showAddresses } from '../../kubelet/runtime/process/ip-command.js';

export interface LocalAddressesOptions {
  /** The interface that holds the addresses (default "lo"); it must exist. */
  device?: string;
  /** What follows "<device>:" in the label (default "kubets"). */
  labelSuffix?: string;
  /** A named network namespace to work in (`ip -n`), for tests; default the process's own. */
  netns?: string;
}

/** What one ensure() or cleanup() changed. */
export interface AddressChanges {
  added: string[];
  removed: string[];
}

/** Linux's IFNAMSIZ less the terminating NUL: the kernel refuses longer labels. */
const MAX_LABEL_LENGTH = 15;

/** `ip -j addr` lists each address's label, which IpLinkAddresses leaves out. */
type LabelledAddress = NonNullable<IpLinkAddresses['addr_info']>[number] & { label?: string };

interface Snapshot {
  /** Every IPv4 address of the namespace, on any interface. */
  present: Set<string>;
  /** The /32 addresses on our device that carry our label. */
  labelled: Set<string>;
}

const sorted = (ips: Iterable<string>) => [...ips].sort();

export class LocalAddresses {
  readonly device: string;
  readonly label: string;
  private readonly netns: string | undefined;
  /** Addresses this instance added or adopted, and has not removed. */
  private readonly owned = new Set<string>();
  /** Leftovers of an earlier run are adopted once, on the first call. */
  private adopted = false;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: LocalAddressesOptions = {}) {
    this.device = options.device ?? 'lo';
    this.label = `${this.device}:${options.labelSuffix ?? 'kubets'}`;
    this.netns = options.netns;
    // The label is how a restarted instance recognises its addresses: it must fit, or none of
    // them could ever be told apart from someone else's.
    if (this.label.length > MAX_LABEL_LENGTH) {
      throw new RangeError(`address label "${this.label}" is longer than ${MAX_LABEL_LENGTH} characters: use a shorter device name or label suffix`);
    }
  }

  /** The addresses this instance holds (sorted). */
  get addresses(): string[] {
    return sorted(this.owned);
  }

  /**
   * Makes exactly these addresses local, as far as this instance is concerned: adds those the
   * namespace lacks (an address already on any interface is left to its owner), and removes the
   * ones it added earlier, or that an earlier instance left, that are no longer wanted. All
   * changes go to one `ip -batch`. Rejects with an IpCommandError when some change failed; what
   * did succeed is kept track of, and the next call tries again.
   */
  ensure(ips: readonly string[]): Promise<AddressChanges> {
    for (const ip of ips) if (!net.isIPv4(ip)) return Promise.reject(new TypeError(`not an IPv4 address: "${ip}"`));
    const wanted = new Set(ips);
    return this.serialise(() => {
      if (this.closed) throw new Error('local addresses are closed');
      return this.apply(wanted);
    });
  }

  /** Removes every address this instance or an earlier one added. */
  cleanup(): Promise<AddressChanges> {
    return this.serialise(() => this.apply(new Set()));
  }

  /** cleanup(), after which ensure() is refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.cleanup();
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(wanted: Set<string>): Promise<AddressChanges> {
    const before = await this.snapshot();
    if (!this.adopted) {
      for (const ip of before.labelled) this.owned.add(ip);
      this.adopted = true;
    }
    // Only addresses still labelled ours are removed: one that someone deleted, or replaced with
    // an unlabelled one, is no longer ours to touch.
    for (const ip of this.owned) if (!before.labelled.has(ip)) this.owned.delete(ip);
    const remove = sorted([...this.owned].filter((ip) => !wanted.has(ip)));
    const add = sorted([...wanted].filter((ip) => !before.present.has(ip)));
    if (remove.length === 0 && add.length === 0) return { added: [], removed: [] };

    const commands = [
      ...remove.map((ip) => ['addr', 'del', `${ip}/32`, 'dev', this.device]),
      ...add.map((ip) => ['addr', 'add', `${ip}/32`, 'dev', this.device, 'label', this.label]),
    ];
    try {
      // -force: one failed line does not stop the others.
      await ipBatch(commands, { netns: this.netns, force: true });
    } catch (e) {
      if (!(e instanceof IpCommandError)) throw e;
      // Some lines failed: what is ours now is what the kernel says carries our label.
      const after = await this.snapshot();
      for (const ip of [...remove, ...add]) {
        if (after.labelled.has(ip)) this.owned.add(ip);
        else this.owned.delete(ip);
      }
      throw e;
    }
    for (const ip of remove) this.owned.delete(ip);
    for (const ip of add) this.owned.add(ip);
    return { added: add, removed: remove };
  }

  private async snapshot(): Promise<Snapshot> {
    const links = await showAddresses({ netns: this.netns });
    const present = new Set<string>();
    const labelled = new Set<string>();
    for (const link of links) {
      for (const a of (link.addr_info ?? []) as LabelledAddress[]) {
        if (a.family !== 'inet') continue;
        present.add(a.local);
        if (link.ifname === this.device && a.label === this.label && a.prefixlen === 32) labelled.add(a.local);
      }
    }
    return { present, labelled };
  }
}
