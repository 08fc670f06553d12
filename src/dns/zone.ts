import { isIP, isIPv4 } from 'node:net';
import { canonicalName, normalizeIP, Rcode, Type } from './message.js';
import type { Question, ResourceRecord } from './message.js';
import type { ClusterRecords, EndpointAddress } from './records.js';

/**
 * The kubernetes zone's answers, after CoreDNS's kubernetes plugin (plugin/kubernetes parse.go and
 * kubernetes.go findServices/findPods, with `pods insecure` and reverse zones that fall through):
 *   svc.ns.svc.zone                  A/AAAA clusterIPs, or ready endpoints when headless
 *   label.svc.ns.svc.zone            one endpoint (hostname, or dashed IP)
 *   _port._proto.svc.ns.svc.zone     SRV per matching port
 *   a-b-c-d.ns.pod.zone              A from the name itself
 *   svc.ns.svc.zone (ExternalName)   CNAME
 * A name that exists with no record of the asked type is NODATA (NOERROR + SOA); one that does
 * not exist is NXDOMAIN.
 */

export interface ZoneOptions {
  /** Default cluster.local. */
  zone?: string;
  /** Record TTL in seconds; CoreDNS's kubernetes plugin defaults to 5. */
  ttl?: number;
  /** insecure (default, CoreDNS's kubeadm config): any IP-shaped name answers; verified: only pod IPs. */
  podMode?: 'insecure' | 'verified' | 'disabled';
  /** Addresses answered for ns.dns.<zone>, the NS target (the kube-dns Service's IPs). */
  nameserverIPs?: string[];
}

export interface ZoneAnswer {
  rcode: number;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** An ExternalName CNAME the caller should resolve further for the asked type. */
  chase?: string;
}

/** A name the plugin could not have (CoreDNS errNoItems / errInvalidRequest): NXDOMAIN. */
const NO_ITEMS = Symbol('no items');

interface Entry {
  /** IP address, or CNAME target when `cname`. */
  host: string;
  cname?: boolean;
  port: number;
  /** Owner name of the address record behind an SRV target. */
  target: string;
}

/** CoreDNS reports this version under dns-version.<zone> TXT (the DNS spec's schema version). */
const SCHEMA_VERSION = '1.1.0';

export class KubernetesZone {
  readonly zone: string;
  private readonly ttl: number;
  private readonly podMode: 'insecure' | 'verified' | 'disabled';
  private readonly nameserverIPs: string[];
  private readonly serial = Math.floor(Date.now() / 1000);

  constructor(private readonly records: ClusterRecords, opts: ZoneOptions = {}) {
    this.zone = canonicalName(opts.zone ?? 'cluster.local');
    this.ttl = opts.ttl ?? 5;
    this.podMode = opts.podMode ?? 'insecure';
    this.nameserverIPs = opts.nameserverIPs ?? [];
  }

  /** Whether a name is inside the cluster zone (then never forwarded). */
  contains(name: string): boolean {
    const n = canonicalName(name);
    return n === this.zone || n.endsWith('.' + this.zone);
  }

  /** Answers a question, or undefined when it is not ours and should be forwarded. */
  answer(q: Question): ZoneAnswer | undefined {
    const name = canonicalName(q.name);
    if (name.endsWith('.in-addr.arpa.') || name.endsWith('.ip6.arpa.')) return this.answerReverse(q, name);
    if (!this.contains(name)) return undefined;
    if (name === this.zone) return this.answerApex(q);
    const base = name.slice(0, -(this.zone.length + 1));
    if (base === 'dns-version') {
      return q.type === Type.TXT
        ? this.ok([{ name: q.name, ttl: this.ttl, type: Type.TXT, texts: [SCHEMA_VERSION] }])
        : this.nodata();
    }
    if (base === 'ns.dns') return this.addresses(q, this.nameserverIPs.map((host) => ({ host, port: -1, target: q.name })));
    const entries = this.lookup(base);
    if (entries === NO_ITEMS) return this.nxdomain();
    return this.fromEntries(q, entries);
  }

  private lookup(base: string): Entry[] | typeof NO_ITEMS {
    // parse.go: segments right to left are pod|svc, namespace, service, then either one endpoint
    // label or _port._proto; anything longer is NXDOMAIN.
    const segs = base.split('.');
    const kind = segs[segs.length - 1];
    if (kind !== 'svc' && kind !== 'pod') return NO_ITEMS;
    if (segs.length === 1) return []; // svc.<zone>, pod.<zone>: NODATA
    if (segs.length > 5) return NO_ITEMS;
    const namespace = segs[segs.length - 2];
    const service = segs.length >= 3 ? segs[segs.length - 3] : '';
    const endpoint = segs.length === 4 ? segs[0] : '';
    const port = segs.length === 5 ? stripUnderscore(segs[0]) : '';
    const proto = segs.length === 5 ? stripUnderscore(segs[1]) : '';
    if (!this.records.namespaceExists(namespace)) return NO_ITEMS;
    if (service === '') return []; // ns.svc.<zone> of an existing namespace: NODATA
    // findPods looks at the pod label only, whatever precedes it (as CoreDNS does).
    if (kind === 'pod') return this.pod(namespace, service);
    return this.service(namespace, service, endpoint, port, proto);
  }

  private pod(namespace: string, label: string): Entry[] | typeof NO_ITEMS {
    if (this.podMode === 'disabled') return NO_ITEMS;
    const ip = (label.split('-').length === 4 && !label.includes('--')) ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
    if (isIP(ip) === 0) return NO_ITEMS;
    const normal = normalizeIP(ip);
    if (this.podMode === 'verified' && !this.records.podIPExists(namespace, normal)) return NO_ITEMS;
    return [{ host: normal, port: -1, target: '' }];
  }

  private service(namespace: string, name: string, endpoint: string, port: string, proto: string): Entry[] | typeof NO_ITEMS {
    const svc = this.records.service(namespace, name);
    if (!svc) return NO_ITEMS;
    const svcName = `${name}.${namespace}.svc.${this.zone}`;
    if (svc.externalName !== undefined) {
      // External services have no endpoints, and an IP-valued externalName is not a CNAME.
      if (endpoint !== '' || isIP(svc.externalName) !== 0 || svc.externalName === '') return NO_ITEMS;
      return [{ host: canonicalName(svc.externalName), cname: true, port: 0, target: svcName }];
    }
    const out: Entry[] = [];
    let found = false;
    if (svc.headless || endpoint !== '') {
      for (const ep of this.records.endpoints(namespace, name)) {
        if (endpoint !== '' && ep.label !== endpoint) continue;
        for (const p of matchingPorts(ep, port, proto)) {
          found = true;
          out.push({ host: ep.ip, port: p, target: `${ep.label}.${svcName}` });
        }
      }
    } else {
      for (const p of svc.ports) {
        if (!matchPort(port, proto, p.name, p.protocol)) continue;
        found = true;
        for (const ip of svc.clusterIPs) out.push({ host: ip, port: p.port, target: svcName });
      }
    }
    return found ? out : NO_ITEMS;
  }

  private fromEntries(q: Question, entries: Entry[]): ZoneAnswer {
    const cname = entries.find((e) => e.cname);
    if (cname) {
      if (q.type === Type.SRV) {
        return this.ok([{ name: q.name, ttl: this.ttl, type: Type.SRV, priority: 0, weight: 100, port: 0, target: cname.host }]);
      }
      const rr: ResourceRecord = { name: q.name, ttl: this.ttl, type: Type.CNAME, target: cname.host };
      if (q.type === Type.CNAME) return this.ok([rr]);
      if (q.type === Type.A || q.type === Type.AAAA || q.type === Type.ANY) return { ...this.ok([rr]), chase: cname.host };
      return this.nodata();
    }
    if (q.type === Type.SRV) return this.srv(q, entries);
    return this.addresses(q, entries);
  }

  private addresses(q: Question, entries: Entry[]): ZoneAnswer {
    const wantA = q.type === Type.A || q.type === Type.ANY;
    const wantAAAA = q.type === Type.AAAA || q.type === Type.ANY;
    const answers: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      if (seen.has(e.host)) continue;
      seen.add(e.host);
      const v4 = isIPv4(e.host);
      if (v4 && wantA) answers.push({ name: q.name, ttl: this.ttl, type: Type.A, address: e.host });
      else if (!v4 && wantAAAA) answers.push({ name: q.name, ttl: this.ttl, type: Type.AAAA, address: e.host });
    }
    return answers.length > 0 ? this.ok(answers) : this.nodata();
  }

  private srv(q: Question, entries: Entry[]): ZoneAnswer {
    const answers: ResourceRecord[] = [];
    const additional: ResourceRecord[] = [];
    const seen = new Set<string>();
    const withPorts = entries.filter((e) => e.port >= 0);
    // CoreDNS spreads a weight of 100 over the records of one priority.
    const weight = Math.max(1, Math.floor(100 / Math.max(1, withPorts.length)));
    for (const e of withPorts) {
      const id = `${e.port}/${e.target}/${e.host}`;
      if (seen.has(id)) continue;
      seen.add(id);
      if (!answers.some((a) => a.type === Type.SRV && a.port === e.port && a.target === e.target)) {
        answers.push({ name: q.name, ttl: this.ttl, type: Type.SRV, priority: 0, weight, port: e.port, target: e.target });
      }
      if (!additional.some((a) => (a.type === Type.A || a.type === Type.AAAA) && a.name === e.target && a.address === e.host)) {
        additional.push(isIPv4(e.host)
          ? { name: e.target, ttl: this.ttl, type: Type.A, address: e.host }
          : { name: e.target, ttl: this.ttl, type: Type.AAAA, address: e.host });
      }
    }
    if (answers.length === 0) return this.nodata();
    return { rcode: Rcode.NOERROR, answers, authority: [], additional };
  }

  private answerApex(q: Question): ZoneAnswer {
    if (q.type === Type.SOA) return this.ok([this.soa(this.zone)]);
    if (q.type === Type.NS) {
      const target = `ns.dns.${this.zone}`;
      return {
        rcode: Rcode.NOERROR,
        answers: [{ name: q.name, ttl: this.ttl, type: Type.NS, target }],
        authority: [],
        additional: this.nameserverIPs.map((address) => isIPv4(address)
          ? { name: target, ttl: this.ttl, type: Type.A, address }
          : { name: target, ttl: this.ttl, type: Type.AAAA, address }),
      };
    }
    return this.nodata();
  }

  /** PTR for service cluster IPs and endpoint IPs; unknown addresses fall through to forwarding. */
  private answerReverse(q: Question, name: string): ZoneAnswer | undefined {
    const ip = reverseToIP(name);
    if (!ip) return undefined;
    const names = this.records.reverseNames(ip);
    if (names.length === 0) return undefined;
    const soaZone = name.endsWith('.in-addr.arpa.') ? 'in-addr.arpa.' : 'ip6.arpa.';
    if (q.type !== Type.PTR && q.type !== Type.ANY) return { ...this.nodata(), authority: [this.soa(soaZone)] };
    return this.ok(names.map((n) => ({ name: q.name, ttl: this.ttl, type: Type.PTR, target: `${n}.${this.zone}` })));
  }

  private soa(owner: string): ResourceRecord {
    return {
      name: owner, ttl: this.ttl, type: Type.SOA, mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`,
      serial: this.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl,
    };
  }

  private ok(answers: ResourceRecord[]): ZoneAnswer {
    return { rcode: Rcode.NOERROR, answers, authority: [], additional: [] };
  }

  private nodata(): ZoneAnswer {
    return { rcode: Rcode.NOERROR, answers: [], authority: [this.soa(this.zone)], additional: [] };
  }

  private nxdomain(): ZoneAnswer {
    return { rcode: Rcode.NXDOMAIN, answers: [], authority: [this.soa(this.zone)], additional: [] };
  }
}

function stripUnderscore(s: string): string {
  return s.startsWith('_') ? s.slice(1) : s;
}

/** An empty request field matches anything (CoreDNS match()). */
function matchPort(port: string, proto: string, name: string, protocol: string): boolean {
  return (port === '' || port === name) && (proto === '' || proto === protocol);
}

function matchingPorts(ep: EndpointAddress, port: string, proto: string): number[] {
  return ep.ports.filter((p) => matchPort(port, proto, p.name, p.protocol)).map((p) => p.port);
}

/** 4.3.2.1.in-addr.arpa. -> 1.2.3.4; nibble form ip6.arpa -> IPv6; undefined when partial. */
export function reverseToIP(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa.')) {
    const parts = name.slice(0, -'.in-addr.arpa.'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  const nibbles = name.slice(0, -'.ip6.arpa.'.length).split('.');
  if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
  const hex = nibbles.reverse().join('');
  return normalizeIP(hex.match(/.{4}/g)!.join(':'));
}
