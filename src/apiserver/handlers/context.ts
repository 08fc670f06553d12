import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceDefinition } from '../../api/types.js';
import type { Logger } from '../../logging/index.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { Rendering } from '../http/negotiation.js';
import type { ResourceStore } from '../registry/store.js';
import type { FieldProblemFinder } from './field-validation.js';

export interface UserInfo {
  name: string;
  groups: string[];
}

/** Everything a resource handler needs about the request in hand. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  query: URLSearchParams;
  info: ResourceRequestInfo;
  def: ResourceDefinition;
  store: ResourceStore;
  /** Another resource's store (eviction reads PodDisruptionBudgets). */
  storeOf(group: string, version: string, plural: string): ResourceStore;
  user: UserInfo;
  rendering: Rendering;
  logger: Logger;
  /** Aborts when the client goes away or the server stops. */
  signal: AbortSignal;
  /** Warnings for the response's Warning headers (fieldValidation=Warn). */
  warnings: string[];
  /** Finds unknown and duplicate fields (from the OpenAPI schemas); absent: none are checked. */
  findFieldProblems?: FieldProblemFinder;
}

export const apiVersionOf = (def: ResourceDefinition): string => (def.group ? `${def.group}/${def.version}` : def.version);
