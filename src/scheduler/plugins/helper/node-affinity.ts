// Node selector terms as component-helpers' scheduling/corev1/nodeaffinity has them: terms are
// ORed, the expressions and fields inside a term ANDed; an empty term selects nothing; a term
// that fails to parse (bad key, operator or values) never matches. Used by NodeAffinity and by
// any plugin that must restrict itself to the nodes a pod may land on.
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { FieldPath, fieldErrorString, invalid, notSupported } from '../../../apimachinery/field-errors.js';
import { type Requirement, type SelectorOperator, SelectorError, Selector, newRequirement, selectorFromSet } from '../../../apimachinery/labels.js';

const LABEL_OPERATORS = new Map<string, SelectorOperator>([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Exists', 'exists'],
  ['DoesNotExist', '!'],
  ['Gt', 'gt'],
  ['Lt', 'lt'],
]);
const VALID_LABEL_OPERATORS = [...LABEL_OPERATORS.keys()];
const VALID_FIELD_OPERATORS = ['In', 'NotIn'];

interface FieldRequirement {
  key: string;
  equal: boolean;
  value: string;
}

interface ParsedTerm {
  labels?: Selector;
  fields?: FieldRequirement[];
  errors: string[];
}

const isEmptyTerm = (t: NodeSelectorTerm | undefined): boolean =>
  !t || ((t.matchExpressions?.length ?? 0) === 0 && (t.matchFields?.length ?? 0) === 0);

function parseExpressions(exprs: NodeSelectorRequirement[], path: FieldPath, errors: string[]): Selector | undefined {
  const reqs: Requirement[] = [];
  const before = errors.length;
  exprs.forEach((expr, i) => {
    const p = path.index(i);
    const op = LABEL_OPERATORS.get(expr.operator);
    if (!op) {
      errors.push(fieldErrorString(notSupported(p.child('operator'), expr.operator, VALID_LABEL_OPERATORS)));
      return;
    }
    try {
      reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])], p));
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      errors.push(e.message);
    }
  });
  return errors.length > before ? undefined : Selector.fromRequirements(reqs);
}

function parseFields(exprs: NodeSelectorRequirement[], path: FieldPath, errors: string[]): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  exprs.forEach((expr, i) => {
    const p = path.index(i);
    if (expr.operator !== 'In' && expr.operator !== 'NotIn') {
      errors.push(fieldErrorString(notSupported(p.child('operator'), expr.operator, VALID_FIELD_OPERATORS)));
    } else if ((expr.values?.length ?? 0) !== 1) {
      errors.push(fieldErrorString(invalid(p.child('values'), expr.values ?? null, 'must have one element')));
    } else {
      out.push({ key: expr.key, equal: expr.operator === 'In', value: expr.values![0]! });
    }
  });
  return out;
}

function parseTerm(term: NodeSelectorTerm, path: FieldPath): ParsedTerm {
  const parsed: ParsedTerm = { errors: [] };
  if (term.matchExpressions?.length) parsed.labels = parseExpressions(term.matchExpressions, path.child('matchExpressions'), parsed.errors);
  if (term.matchFields?.length) parsed.fields = parseFields(term.matchFields, path.child('matchFields'), parsed.errors);
  return parsed;
}

/** The only node field a term may select on is metadata.name, as upstream's extractNodeFields. */
function termMatches(term: ParsedTerm, node: Node): boolean {
  if (term.errors.length) return false;
  if (term.labels && !term.labels.matches(node.metadata?.labels)) return false;
  const name = node.metadata?.name;
  // Upstream skips the field check for a node without a name (its field set is empty).
  if (term.fields && name) {
    const fields: Record<string, string> = { 'metadata.name': name };
    for (const f of term.fields) {
      if (((fields[f.key] ?? '') === f.value) !== f.equal) return false;
    }
  }
  return true;
}

/** A parsed v1.NodeSelector whose parse errors only show when nothing matches (upstream LazyErrorNodeSelector). */
export class NodeSelectorMatcher {
  private readonly terms: ParsedTerm[];

  constructor(ns: NodeSelector, path: FieldPath = FieldPath.root('nodeSelectorTerms')) {
    this.terms = [];
    (ns.nodeSelectorTerms ?? []).forEach((term, i) => {
      if (!isEmptyTerm(term)) this.terms.push(parseTerm(term, path.index(i)));
    });
  }

  /** Every parse error of every term. */
  errors(): string[] {
    return this.terms.flatMap((t) => t.errors);
  }

  matches(node: Node): boolean {
    return this.terms.some((t) => termMatches(t, node));
  }
}

/** A parsed NodeSelector that must be valid (upstream NewNodeSelector): throws on parse errors. */
export function newNodeSelector(ns: NodeSelector, path?: FieldPath): NodeSelectorMatcher {
  const m = new NodeSelectorMatcher(ns, path);
  const errs = m.errors();
  if (errs.length) throw new SelectorError(aggregate(errs));
  return m;
}

/** errors.NewAggregate(...).Error(): one message alone, several in brackets. */
function aggregate(errs: string[]): string {
  const msgs = [...new Set(errs)];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

/** Weighted preferred terms (upstream PreferredSchedulingTerms); weight-0 and empty terms are dropped. */
export class PreferredSchedulingTerms {
  private constructor(private readonly terms: { term: ParsedTerm; weight: number }[]) {}

  /** Throws SelectorError listing every parse error, as upstream's NewPreferredSchedulingTerms. */
  static parse(terms: PreferredSchedulingTerm[], path: FieldPath = FieldPath.root('')): PreferredSchedulingTerms {
    const parsed: { term: ParsedTerm; weight: number }[] = [];
    const errs: string[] = [];
    terms.forEach((t, i) => {
      if (!t.weight || isEmptyTerm(t.preference)) return;
      // Upstream indexes the (empty) root path directly: "[0].matchExpressions[0].key".
      const term = parseTerm(t.preference, path.index(i));
      if (term.errors.length) errs.push(...term.errors);
      else parsed.push({ term, weight: t.weight });
    });
    if (errs.length) throw new SelectorError(aggregate(errs));
    return new PreferredSchedulingTerms(parsed);
  }

  /** The sum of the weights of the terms the node matches. */
  score(node: Node): number {
    let sum = 0;
    for (const t of this.terms) if (termMatches(t.term, node)) sum += t.weight;
    return sum;
  }
}

/** A pod's spec.nodeSelector AND its required node affinity (upstream RequiredNodeAffinity). */
export class RequiredNodeAffinity {
  private readonly labelSelector?: Selector;
  private readonly nodeSelector?: NodeSelectorMatcher;

  constructor(pod: Pod) {
    const ns = pod.spec?.nodeSelector;
    if (ns && Object.keys(ns).length > 0) this.labelSelector = selectorFromSet(ns);
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required) this.nodeSelector = new NodeSelectorMatcher(required);
  }

  /** Parse errors are ignored here, as upstream's Filter does: a broken term simply never matches. */
  matches(node: Node): boolean {
    if (this.labelSelector && !this.labelSelector.matches(node.metadata?.labels)) return false;
    return this.nodeSelector ? this.nodeSelector.matches(node) : true;
  }
}
