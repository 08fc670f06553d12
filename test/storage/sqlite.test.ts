import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/index.js';
import { runConformance } from './conformance.js';

runConformance('sqlite', () => openBackend({ datastore: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'kubets-sqlite-')) }));
