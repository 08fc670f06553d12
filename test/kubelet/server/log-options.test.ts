import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldErrorString } from '../../../src/apimachinery/field-errors.js';
import {
  decodePodLogOptions,
  kubeletLogQuery,
  LogOptionsDecodeError,
  sinceNanos,
  validatePodLogOptions,
} from '../../../src/kubelet/server/log-options.js';

describe('PodLogOptions from a query', () => {
  const decoded: { query: string; want: Record<string, unknown> }[] = [
    { query: '', want: { follow: false, previous: false, timestamps: false, insecureSkipTLSVerifyBackend: false } },
    { query: 'follow=true&previous=1&timestamps=yes', want: { follow: true, previous: true, timestamps: true } },
    { query: 'follow=false&previous=0&timestamps=F', want: { follow: false, previous: false, timestamps: false } },
    { query: 'follow=', want: { follow: true } },
    { query: 'container=app&tailLines=10&limitBytes=5&sinceSeconds=3', want: { container: 'app', tailLines: 10, limitBytes: 5, sinceSeconds: 3 } },
    { query: 'tailLines=-1', want: { tailLines: -1 } },
    { query: 'sinceTime=2024-05-01T10:00:00Z', want: { sinceTime: Date.parse('2024-05-01T10:00:00Z') } },
    { query: 'sinceTime=2024-05-01T12:00:00.9%2B02:00', want: { sinceTime: Date.parse('2024-05-01T10:00:00Z') } },
    { query: 'tailLines=3&tailLines=4', want: { tailLines: 3 } },
  ];
  for (const c of decoded) {
    it(`decodes ${JSON.stringify(c.query)}`, () => {
      const got = decodePodLogOptions(new URLSearchParams(c.query));
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof typeof got], v, k);
    });
  }

  for (const [query, message] of [
    ['tailLines=ten', 'strconv.ParseInt: parsing "ten": invalid syntax'],
    ['limitBytes=1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['sinceTime=yesterday', /^parsing time "yesterday"/],
  ] as const) {
    it(`refuses ${query}`, () => {
      assert.throws(() => decodePodLogOptions(new URLSearchParams(query)), (e: unknown) => {
        assert.ok(e instanceof LogOptionsDecodeError);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
    });
  }

  const validation: { query: string; errors: string[] }[] = [
    { query: 'tailLines=0&limitBytes=1&sinceSeconds=1', errors: [] },
    { query: 'tailLines=-1', errors: ['tailLines: Invalid value: -1: must be greater than or equal to 0'] },
    { query: 'limitBytes=0', errors: ['limitBytes: Invalid value: 0: must be greater than 0'] },
    { query: 'sinceSeconds=0', errors: ['sinceSeconds: Invalid value: 0: must be greater than 0'] },
    { query: 'sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z', errors: ['Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified'] },
    { query: 'stream=Both', errors: ['stream: Unsupported value: "Both": supported values: "All", "Stderr", "Stdout"'] },
  ];
  for (const c of validation) {
    it(`validates ${c.query}`, () => {
      assert.deepEqual(validatePodLogOptions(decodePodLogOptions(new URLSearchParams(c.query))).map(fieldErrorString), c.errors);
    });
  }

  it('passes to the kubelet only what is set, sinceTime in whole seconds', () => {
    const opts = decodePodLogOptions(new URLSearchParams('container=x&follow=true&tailLines=2&sinceTime=2024-05-01T10:00:00.75Z&insecureSkipTLSVerifyBackend=true'));
    assert.equal(kubeletLogQuery(opts).toString(), 'follow=true&sinceTime=2024-05-01T10%3A00%3A00Z&tailLines=2');
  });

  it('starts at the later of sinceSeconds and sinceTime', () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    assert.equal(sinceNanos({ follow: false, previous: false, timestamps: false, insecureSkipTLSVerifyBackend: false }, now), undefined);
    assert.equal(sinceNanos({ follow: false, previous: false, timestamps: false, insecureSkipTLSVerifyBackend: false, sinceSeconds: 10 }, now), BigInt(now - 10_000) * 1_000_000n);
  });
});
