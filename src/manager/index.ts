export { type Runnable, sleep } from './runnable.js';
