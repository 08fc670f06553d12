// The kubelet's file source (upstream pkg/kubelet/config/file.go, file_linux.go): every manifest in
// a directory is a static pod, run by the kubelet without the API. The directory is watched (a
// change is read after a short quiet period, so a file being written is read once complete) and
// read again every 20 s (upstream's fileCheckFrequency) in case a change notification is missed.
// Each read produces the full set; listeners hear it when it differs from the previous one (and
// once after the first read, empty or not, as upstream marks the source seen).
//
// Which files count: regular, non-hidden files ending .yaml, .yml or .json (upstream reads every
// non-hidden file; naming the extensions keeps editors' backup files out). One Pod per file. A bad
// file is logged once (again only when its content changes) and skipped; a pod name defined by two
// files is taken from the first in name order, the other logged. Directories are not entered.
import { type FSWatcher, mkdirSync, statSync, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import type { Runnable } from '../../manager/index.js';
import { CONFIG_SEEN_ANNOTATION, podKey } from './annotations.js';
import { ManifestError, parseManifest } from './manifest.js';

/** upstream's --file-check-frequency default. */
export const DEFAULT_FILE_CHECK_MS = 20_000;
const DEFAULT_DEBOUNCE_MS = 100;
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface StaticPodSourceOptions {
  /** The directory of manifests (`<data-dir>/manifests`); created when missing. */
  manifestDir: string;
  nodeName: string;
  logger: Logger;
  /** How often the directory is read without a change notification (default 20 s). */
  pollMs?: number;
  /** Quiet period after a change notification before reading (default 100 ms). */
  debounceMs?: number;
}

export type StaticPodListener = (pods: Pod[]) => void;

const isManifestName = (name: string) => !name.startsWith('.') && MANIFEST_EXTENSIONS.some((ext) => name.endsWith(ext));

export class StaticPodSource implements Runnable {
  readonly name = 'static-pods';
  private current: Pod[] = [];
  private emitted = false;
  private readonly listeners = new Set<StaticPodListener>();
  /** When each uid was first seen (its config.seen annotation stays the same across reads). */
  private readonly seen = new Map<string, string>();
  /** The last problem logged per file, with the content it was about: logged once. */
  private readonly reported = new Map<string, string>();
  private scanning: Promise<boolean> | undefined;
  private rescanAgain = false;
  private watcher: FSWatcher | undefined;
  private watchedIno: number | undefined;
  private stopped = false;
  private debounce: NodeJS.Timeout | undefined;
  private resolveSynced!: () => void;
  private readonly syncedPromise = new Promise<void>((r) => (this.resolveSynced = r));

  constructor(private readonly opts: StaticPodSourceOptions) {}

  /** Calls `listener` with the full set of static pods on every change; returns an unsubscribe. */
  onChange(listener: StaticPodListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The static pods of the last read (copies are not made: do not mutate). */
  pods(): Pod[] {
    return [...this.current];
  }

  /** The static pod named `<namespace>/<name>` (its name with the node suffix), if any. */
  get(namespace: string, name: string): Pod | undefined {
    return this.current.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
  }

  /** Resolves once the directory has been read the first time (or start() ended before). */
  synced(): Promise<void> {
    return this.syncedPromise;
  }

  /** Watches and reads the directory until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.run(signal);
    } finally {
      // Whoever waits for the first read is not left waiting by a stop before it.
      this.resolveSynced();
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    try {
      mkdirSync(this.opts.manifestDir, { recursive: true });
    } catch (e) {
      this.opts.logger.warn({ path: this.opts.manifestDir, err: e }, 'cannot create the static pod manifest directory');
    }
    this.ensureWatch(signal);
    await this.rescan();
    const poll = setInterval(() => {
      this.ensureWatch(signal);
      void this.rescan();
    }, this.opts.pollMs ?? DEFAULT_FILE_CHECK_MS);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    this.stopped = true;
    clearInterval(poll);
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
    await this.scanning;
  }

  /**
   * Watches the directory when it is not watched yet, or watches it again when it was replaced
   * (a watch follows the directory it was opened on, not the path).
   */
  private ensureWatch(signal: AbortSignal): void {
    if (signal.aborted) return;
    let ino: number | undefined;
    try {
      ino = statSync(this.opts.manifestDir).ino;
    } catch {
      // Not there (now): the periodic read covers it until it is back.
    }
    if (this.watcher && this.watchedIno === ino) return;
    this.watcher?.close();
    this.watcher = undefined;
    if (ino === undefined) return;
    try {
      const w = watch(this.opts.manifestDir, { persistent: false });
      w.on('change', () => this.changed());
      w.on('error', () => {
        w.close();
        if (this.watcher === w) this.watcher = undefined;
        this.changed();
      });
      this.watcher = w;
      this.watchedIno = ino;
    } catch {
      // Gone between the stat and the watch: the next poll tries again.
    }
  }

  private changed(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.rescan(), this.opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /**
   * Reads the directory now; resolves true when the set of pods changed. Reads never overlap: one
   * asked for during a read runs right after it.
   */
  rescan(): Promise<boolean> {
    if (this.scanning) {
      this.rescanAgain = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      let changed = false;
      try {
        do {
          this.rescanAgain = false;
          try {
            changed = this.apply(await this.read()) || changed;
          } catch (e) {
            this.opts.logger.error({ path: this.opts.manifestDir, err: e }, 'reading static pod manifests failed');
          }
        } while (this.rescanAgain);
      } finally {
        this.scanning = undefined;
      }
      return changed;
    })();
    return this.scanning;
  }

  private async read(): Promise<Pod[]> {
    const dir = this.opts.manifestDir;
    let names: string[];
    try {
      names = (await readdir(dir)).filter(isManifestName).sort();
      this.reported.delete(dir);
    } catch (e) {
      // upstream: a missing path is no pods ("path does not exist, ignoring").
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.report(dir, '', `cannot read the manifest directory: ${(e as Error).message}`);
      return [];
    }
    const pods: Pod[] = [];
    const byKey = new Map<string, string>();
    const present = new Set<string>();
    for (const name of names) {
      const path = join(dir, name);
      let text: string;
      try {
        if (!(await stat(path)).isFile()) continue;
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.report(path, '', `cannot read the manifest file: ${(e as Error).message}`);
        continue;
      }
      present.add(path);
      let pod: Pod;
      try {
        pod = parseManifest(text, { path, nodeName: this.opts.nodeName, seen: '' });
      } catch (e) {
        // Whatever is wrong with a file (even a shape the parser did not expect) skips that file only.
        this.report(path, text, e instanceof ManifestError ? e.message : `couldn't parse as pod: ${(e as Error).message}`);
        continue;
      }
      const key = podKey(pod);
      const first = byKey.get(key);
      if (first !== undefined) {
        this.report(path, text, `defines pod ${key}, already defined by ${first}; ignored`);
        continue;
      }
      byKey.set(key, path);
      this.reported.delete(path);
      pods.push(pod);
    }
    for (const path of this.reported.keys()) if (path !== dir && !present.has(path)) this.reported.delete(path);
    return pods;
  }

  /** Logs a problem with a file once per content (a fixed, then broken again file is logged again). */
  private report(path: string, content: string, message: string): void {
    const key = `${message}\n${content}`;
    if (this.reported.get(path) === key) return;
    this.reported.set(path, key);
    this.opts.logger.error({ path }, `static pod manifest skipped: ${path}: ${message}`);
  }

  /** Stamps config.seen, swaps the set in, tells the listeners when it changed. */
  private apply(read: Pod[]): boolean {
    const uids = new Set(read.map((p) => p.metadata!.uid!));
    for (const uid of this.seen.keys()) if (!uids.has(uid)) this.seen.delete(uid);
    const pods = read.map((p) => {
      const uid = p.metadata!.uid!;
      let seen = this.seen.get(uid);
      if (!seen) {
        seen = new Date().toISOString();
        this.seen.set(uid, seen);
      }
      return { ...p, metadata: { ...p.metadata, annotations: { ...p.metadata!.annotations, [CONFIG_SEEN_ANNOTATION]: seen } } };
    });
    const changed = JSON.stringify(pods) !== JSON.stringify(this.current);
    this.current = pods;
    const first = !this.emitted;
    this.emitted = true;
    this.resolveSynced();
    if (!changed && !first) return false;
    for (const listener of this.listeners) {
      try {
        listener(this.pods());
      } catch (e) {
        this.opts.logger.error({ err: e }, 'static pod listener failed');
      }
    }
    return changed;
  }
}
