import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openBackend } from '../../src/storage/index.js';
import { runConformance } from './conformance.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runConformance('sqlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-sqlite-'));
  dirs.push(dataDir);
  return openBackend({ datastore: 'sqlite', dataDir });
});
