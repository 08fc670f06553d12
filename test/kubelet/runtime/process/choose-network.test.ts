import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLogger } from '../../../../src/logging/index.js';
import { BridgeNetwork } from '../../../../src/kubelet/runtime/process/bridge-network.js';
import { chooseSandboxNetwork, DeferredSandboxNetwork } from '../../../../src/kubelet/runtime/process/choose-network.js';
import { HOST_NETWORK_INFO, HostNetwork } from '../../../../src/kubelet/runtime/process/network.js';
import { cleanupBridges, freePodCIDR, NODE_IP, podConfig, tempDir, track, uniqueBridgeName } from './bridge-harness.js';

describe('chooseSandboxNetwork', () => {
  after(cleanupBridges);

  const choose = async (options: { podCIDR?: string; uid?: number; bridgeName?: string }) => {
    const lines: string[] = [];
    const logger = createLogger(1, { write: (line: string) => void lines.push(line) });
    const network = await chooseSandboxNetwork({ nodeIp: NODE_IP, stateDir: tempDir(), logger, ...options });
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string });
    return { network, logged };
  };

  test('falls back to the host network, saying why once in the log and in every pod sandbox', async () => {
    const cases: [{ podCIDR?: string; uid?: number }, string | RegExp][] = [
      [{ podCIDR: '10.250.0.0/24', uid: 1000 }, 'not root'],
      [{}, 'the node has no pod CIDR'],
      [{ podCIDR: '10.250.0.0/31' }, 'invalid pod CIDR "10.250.0.0/31": want an IPv4 CIDR of /30 or larger'],
      [{ podCIDR: '127.250.0.0/24' }, /^pod CIDR 127\.250\.0\.0\/24 overlaps 127\.0\.0\.1\/8 on lo$/],
    ];
    for (const [options, reason] of cases) {
      const { network, logged } = await choose(options);
      const what = JSON.stringify(options);
      assert.ok(network instanceof HostNetwork, what);
      const warnings = logged.filter((l) => l.level === 40);
      assert.equal(warnings.length, 1, what);
      assert.match(warnings[0]!.reason!, typeof reason === 'string' ? new RegExp(`^${reason.replace(/[.*+?()[\]/\\]/g, '\\$&')}$`) : reason, what);
      const why = warnings[0]!.reason!;
      const pod = await network.setup('s1', podConfig('p'));
      assert.deepEqual(pod, {
        ip: NODE_IP,
        additionalIps: [],
        info: { network: `${HOST_NETWORK_INFO} (${why})`, warning: `pod network requested but unavailable (${why}): using the host network` },
      });
      assert.deepEqual((await network.setup('s2', podConfig('h', { hostNetwork: true }))).info, { network: HOST_NETWORK_INFO }, what);
      assert.deepEqual(network.wrapCommand('s1', ['/bin/true']), ['/bin/true']);
    }
  });

  test('root, a pod CIDR free on this machine: the bridge network, ready', async () => {
    const podCIDR = freePodCIDR();
    const bridgeName = uniqueBridgeName();
    const { network, logged } = await choose({ podCIDR, bridgeName });
    assert.ok(network instanceof BridgeNetwork, JSON.stringify(logged));
    track(network);
    assert.equal(network.bridgeName, bridgeName);
    assert.deepEqual(
      logged.map((l) => [l.level, l.msg]),
      [
        [30, 'process runtime: created the pod bridge'],
        [30, 'process runtime: pods get their own network namespace on the node bridge'],
      ],
    );
    const pod = await network.setup('s1', podConfig('p'));
    assert.equal(pod.ip, podCIDR.replace(/0\/24$/, '2'));
  });

  test('DeferredSandboxNetwork: setups wait for the choice, commands cannot be wrapped before it', async () => {
    const deferred = new DeferredSandboxNetwork();
    assert.throws(() => deferred.wrapCommand('s1', ['/bin/true']), { reason: 'RunContainerError', message: /not registered yet/ });
    let settled = false;
    const pending = deferred.setup('s1', podConfig('p')).then((s) => ((settled = true), s));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, false);
    deferred.choose(new HostNetwork(NODE_IP, 'not root'));
    deferred.choose(new HostNetwork('192.0.2.99'));
    assert.equal((await pending).ip, NODE_IP);
    assert.equal((await deferred.setup('s2', podConfig('q'))).ip, NODE_IP, 'the first choice stays');
    assert.deepEqual(deferred.wrapCommand('s1', ['/bin/true']), ['/bin/true']);
    await deferred.teardown('s1');
    await deferred.close();
  });
});
