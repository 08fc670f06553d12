// The PodTopologySpread plugin's public surface.
export { NAME, PodTopologySpread, type DefaultingType, type PodTopologySpreadOptions, validatePodTopologySpreadOptions } from './plugin.js';
export { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH, PRE_FILTER_STATE_KEY, type PreFilterState, updateWithPod } from './filtering.js';
export { PRE_SCORE_STATE_KEY, type PreScoreState } from './scoring.js';
export { LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE, SYSTEM_DEFAULT_CONSTRAINTS, type SpreadConstraint } from './common.js';
