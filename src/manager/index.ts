export { type Runnable, sleep } from './runnable.js';
export { Manager, type RunnableGroup } from './manager.js';
