// What the services e2e tests share: the web Deployment and client pod they run, and the scripts
// the client pod runs (inside its network and mount namespaces, through kubectl exec).

/** Requests, each on a new connection; prints {counts by answering pod, errors}. Args: url, n. */
export const SPREAD = `const [url, n] = process.argv.slice(1); const counts = {}; let errors = 0;
const get = () => new Promise((r) => { const q = require('http').get(url, { agent: false, timeout: 2000 }, (s) => { let b = ''; s.on('data', (d) => b += d); s.on('end', () => r(b)); }); q.on('error', () => r(undefined)); q.on('timeout', () => q.destroy()); });
(async () => { for (let i = 0; i < Number(n); i++) { const b = await get(); if (b === undefined) errors++; else counts[b] = (counts[b] ?? 0) + 1; } console.log(JSON.stringify({ counts, errors })); })();`;

/** A Deployment `web` of HTTP servers on port 8080 (named http) answering with their pod's name. */
export function webDeployment(opts: { replicas: number; server: string; readinessProbe: string }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${opts.replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: node
        env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        command: ['${process.execPath}', -e, ${JSON.stringify(opts.server)}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: ${opts.readinessProbe}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;
}

/** A pod `client` that idles, for kubectl exec. */
export const CLIENT_POD = `apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: node
    command: ['${process.execPath}', -e, 'setInterval(() => {}, 1 << 30) // e2e-svc-client']
`;
