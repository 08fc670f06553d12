// The API server hands out health check node ports as it does node ports: LoadBalancers with
// externalTrafficPolicy Local get one when they do not ask for one, a taken one is refused with
// a field error, and a deleted service gives its ports back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { SERVICES } from '../../src/client/resources.js';
import { startControlPlane, type ControlPlane } from '../controllers/harness.js';

const lb = (name: string, healthCheckNodePort?: number): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort, selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});

describe('service health check node ports', () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => cp.stop());

  it('allocates one for a Local LoadBalancer, refuses a taken one, and frees it on delete', async () => {
    const services = cp.client.resource<Service>(SERVICES);
    const created = await services.create(lb('auto'));
    const hc = created.spec?.healthCheckNodePort;
    assert.ok(hc && hc >= 30000 && hc <= 32767, `allocated ${hc}`);
    assert.notEqual(hc, created.spec?.ports?.[0]?.nodePort);
    await assert.rejects(services.create(lb('taken', hc)), (e: Error) => /spec\.healthCheckNodePort: Invalid value: \d+: provided port is already allocated/.test(e.message));
    await services.delete('default', 'auto');
    const again = await services.create(lb('again', hc));
    assert.equal(again.spec?.healthCheckNodePort, hc);
    // Switching to Cluster keeps the validation honest: the port must go with the policy.
    const updated = await services.update({ ...again, spec: { ...again.spec, externalTrafficPolicy: 'Cluster' } });
    assert.equal(updated.spec?.healthCheckNodePort, undefined);
  });
});
