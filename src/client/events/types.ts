import type { KubeObject } from '../types.js';

export type EventType = 'Normal' | 'Warning';

/**
 * Records core/v1 Events about an object (client-go's record.EventRecorder). Fire and forget:
 * recording never blocks or fails the caller; repeats of one event within ten minutes raise its
 * count instead of creating another.
 */
export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}
