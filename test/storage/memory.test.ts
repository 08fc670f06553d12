import { openBackend } from '../../src/storage/index.js';
import { runConformance } from './conformance.js';

runConformance('memory', () => openBackend({ datastore: 'memory' }));
