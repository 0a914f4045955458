// Which Swarm node a build step runs on, chosen by stubforge rather than by the engine. Swarm's
// constraint enforcer (docker.io 20.10) counts the reservation of every task whose desired state
// is at most Completed, and a replicated job's task keeps that desired state after it finished,
// even after its service is removed; nothing ever reaps it. With reservations in the step's spec,
// each finished step keeps "holding" its CPUs, and once a node's finished steps add up to its
// CPUs, the next node update rejects whatever task runs there ("assigned node no longer meets
// constraints"). So steps carry limits only, and this ledger does the fitting the reservations
// did: a step holds its CPUs and memory on one node while it runs, the node is pinned with a
// `node.id==` constraint, and a step that fits nowhere now waits here for one to end. Pure.

/** A node as placement sees it (swarm-runtime.ts reads it from the engine's node list). */
export interface PlacementNode {
  readonly id: string;
  readonly hostname: string;
  readonly role: string;
  readonly state: string;
  readonly availability: string;
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly engineLabels: Readonly<Record<string, string>>;
  readonly os: string;
  readonly arch: string;
}

/** One placement constraint as the engine takes it: `attribute==value` or `attribute!=value`. */
export interface PlacementConstraint {
  readonly text: string;
  readonly attribute: string;
  readonly equal: boolean;
  readonly value: string;
}

export interface ConstraintError {
  readonly reason: 'bad-constraint';
  readonly constraint: string;
  readonly problem: string;
}

const FIXED_ATTRIBUTES = ['node.id', 'node.hostname', 'node.role', 'node.platform.os', 'node.platform.arch'] as const;
const LABEL_PREFIXES = ['node.labels.', 'engine.labels.'] as const;

/** Parses the user's constraints; the first one the engine would not understand is the error. */
export function parseConstraints(texts: readonly string[]): { ok: true; value: PlacementConstraint[] } | { ok: false; error: ConstraintError } {
  const parsed: PlacementConstraint[] = [];
  for (const text of texts) {
    const match = /^\s*([^=!\s]+)\s*(==|!=)\s*(\S.*?)\s*$/.exec(text);
    if (match === null) return { ok: false, error: { reason: 'bad-constraint', constraint: text, problem: 'expected attribute==value or attribute!=value' } };
    const [, attribute = '', operator, value = ''] = match;
    const known = (FIXED_ATTRIBUTES as readonly string[]).includes(attribute) || LABEL_PREFIXES.some((p) => attribute.startsWith(p) && attribute.length > p.length);
    if (!known) {
      return { ok: false, error: { reason: 'bad-constraint', constraint: text, problem: `unknown attribute ${attribute} (known: ${FIXED_ATTRIBUTES.join(', ')}, node.labels.<name>, engine.labels.<name>)` } };
    }
    parsed.push({ text, attribute, equal: operator === '==', value });
  }
  return { ok: true, value: parsed };
}

function attributeOf(node: PlacementNode, attribute: string): string | undefined {
  switch (attribute) {
    case 'node.id': return node.id;
    case 'node.hostname': return node.hostname;
    case 'node.role': return node.role;
    case 'node.platform.os': return node.os;
    case 'node.platform.arch': return node.arch;
    default:
      if (attribute.startsWith('node.labels.')) return node.labels[attribute.slice('node.labels.'.length)];
      return node.engineLabels[attribute.slice('engine.labels.'.length)];
  }
}

/** As the engine matches: values compare without regard to case; a missing label is unequal. */
export function nodeMatches(node: PlacementNode, constraints: readonly PlacementConstraint[]): boolean {
  return constraints.every((c) => {
    const actual = attributeOf(node, c.attribute);
    const same = actual !== undefined && actual.toLowerCase() === c.value.toLowerCase();
    return c.equal ? same : !same;
  });
}

/** A node that takes work: ready, active and matching every constraint. */
export function eligibleNodes<N extends PlacementNode>(nodes: readonly N[], constraints: readonly PlacementConstraint[]): N[] {
  return nodes.filter((n) => n.state === 'ready' && n.availability === 'active' && nodeMatches(n, constraints));
}

export interface StepSize {
  readonly nanoCpus: number;
  readonly memoryBytes: number;
}

export type Placement =
  | { readonly kind: 'node'; readonly nodeId: string }
  | { readonly kind: 'wait' }
  | { readonly kind: 'never'; readonly eligible: number };

/** What running steps hold, per node; steps on a node that has left hold nothing anywhere. */
export class NodeLedger {
  private readonly held = new Map<string, { nanoCpus: number; memoryBytes: number; steps: number }>();

  /**
   * The eligible node with the most CPUs left (then memory, then id, so a tie is stable) that fits
   * the step; `wait` when one would fit once a step ends, `never` when none fits even idle.
   */
  choose(nodes: readonly PlacementNode[], constraints: readonly PlacementConstraint[], step: StepSize): Placement {
    const eligible = eligibleNodes(nodes, constraints);
    const fitsIdle = eligible.filter((n) => n.nanoCpus >= step.nanoCpus && n.memoryBytes >= step.memoryBytes);
    if (fitsIdle.length === 0) return { kind: 'never', eligible: eligible.length };
    const free = fitsIdle
      .map((n) => {
        const h = this.held.get(n.id);
        return { id: n.id, cpus: n.nanoCpus - (h?.nanoCpus ?? 0), memory: n.memoryBytes - (h?.memoryBytes ?? 0) };
      })
      .filter((f) => f.cpus >= step.nanoCpus && f.memory >= step.memoryBytes)
      .sort((a, b) => b.cpus - a.cpus || b.memory - a.memory || a.id.localeCompare(b.id));
    const best = free[0];
    return best === undefined ? { kind: 'wait' } : { kind: 'node', nodeId: best.id };
  }

  hold(nodeId: string, step: StepSize): void {
    const h = this.held.get(nodeId) ?? { nanoCpus: 0, memoryBytes: 0, steps: 0 };
    this.held.set(nodeId, { nanoCpus: h.nanoCpus + step.nanoCpus, memoryBytes: h.memoryBytes + step.memoryBytes, steps: h.steps + 1 });
  }

  release(nodeId: string, step: StepSize): void {
    const h = this.held.get(nodeId);
    if (h === undefined) return;
    if (h.steps <= 1) this.held.delete(nodeId);
    else this.held.set(nodeId, { nanoCpus: h.nanoCpus - step.nanoCpus, memoryBytes: h.memoryBytes - step.memoryBytes, steps: h.steps - 1 });
  }

  /** Steps held on a node (for tests and the step log). */
  steps(nodeId: string): number {
    return this.held.get(nodeId)?.steps ?? 0;
  }
}
