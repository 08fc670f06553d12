// Restart back-off as upstream's kubelet (immediate first restart, then 10 s doubling to 5 min,
// reset after 10 quiet minutes) and container environments ($(VAR) expansion, fieldRef,
// ConfigMap/Secret refs with optional, envFrom with prefix).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { RestartBackoff } from '../../../src/kubelet/pods/backoff.js';
import { EnvError, commandLine, containerEnv, expand } from '../../../src/kubelet/pods/environment.js';

describe('RestartBackoff', () => {
  it('restarts at once the first time, then waits 10, 20, 40 ... up to 300 s after each exit', () => {
    let now = 0;
    const b = new RestartBackoff(() => now);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const finished = now;
      waits.push(b.remaining('u/c', finished));
      now += b.remaining('u/c', finished);
      b.restarted('u/c');
      now += 1000; // it runs 1 s, then exits again
    }
    assert.deepEqual(waits, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    assert.equal(b.delay('u/c'), 300_000);
  });

  it('starts over after ten minutes without a restart, and forgets a pod', () => {
    let now = 0;
    const b = new RestartBackoff(() => now);
    b.restarted('u/c');
    b.restarted('u/c');
    now += 601_000;
    assert.equal(b.remaining('u/c', now), 0);
    b.restarted('u/c');
    assert.equal(b.delay('u/c'), 10_000);
    b.forgetPod('u');
    assert.equal(b.delay('u/c'), 0);
  });
});

describe('container environment', () => {
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'shop', uid: 'uid-1', labels: { tier: 'front' } },
    spec: { nodeName: 'n1', serviceAccountName: 'default', containers: [] },
  };
  const cm: ConfigMap = { metadata: { name: 'cfg' }, data: { COLOR: 'blue', SIZE: 'xl' } };
  const secret: Secret = { metadata: { name: 'pw' }, data: { PASSWORD: Buffer.from('s3cret').toString('base64') } };
  const src = {
    configMap: async (_ns: string, name: string) => (name === 'cfg' ? cm : undefined),
    secret: async (_ns: string, name: string) => (name === 'pw' ? secret : undefined),
  };

  it('expands $(VAR), keeps unknown references and $$ escapes', () => {
    const vars = new Map([['A', '1']]);
    assert.equal(expand('$(A)-$(B)-$$(A)-$', vars), '1-$(B)-$(A)-$');
  });

  it('builds env in upstream order: envFrom, then env using earlier values, fieldRefs, refs', async () => {
    const env = await containerEnv(
      pod,
      {
        name: 'c',
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
        env: [
          { name: 'GREETING', value: 'hello $(CFG_COLOR)' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'pw', key: 'PASSWORD' } } },
          { name: 'MISSING', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
        ],
      },
      src,
      { podIP: '10.42.0.9' },
    );
    assert.deepEqual(Object.fromEntries(env), {
      CFG_COLOR: 'blue',
      CFG_SIZE: 'xl',
      GREETING: 'hello blue',
      POD: 'web',
      TIER: 'front',
      IP: '10.42.0.9',
      PASSWORD: 's3cret',
    });
    assert.deepEqual(commandLine({ name: 'c', command: ['sh', '-c'], args: ['echo $(GREETING) $(NOPE)'] }, env), { command: ['sh', '-c'], args: ['echo hello blue $(NOPE)'] });
  });

  it('a required ConfigMap, Secret or key that is missing is a config error', async () => {
    for (const env of [
      [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x' } } }],
      [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey' } } }],
      [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'x' } } }],
    ]) {
      await assert.rejects(containerEnv(pod, { name: 'c', env }, src, {}), EnvError);
    }
    await assert.rejects(containerEnv(pod, { name: 'c', envFrom: [{ secretRef: { name: 'nope' } }] }, src, {}), /secret "nope" not found/);
  });
});
