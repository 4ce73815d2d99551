/**
 * The RFC 5280 §6.1 valid_policy_tree, to the letter (§6.1.2 (a), §6.1.3
 * (d)(e), §6.1.4 (b), §6.1.5 (g)). Qualifiers are ignored (not kept). The tree
 * is bounded: more than `maxNodes` nodes throws PolicyTreeTooLarge, which
 * process.ts turns into POLICY_TREE_TOO_LARGE (hostile certificates with many
 * policies and mappings can grow it exponentially).
 */
import { OID } from '../cert/types';

const ANY = OID.anyPolicy;

export interface PolicyNode {
  validPolicy: string;
  expected: Set<string>;
  parent: PolicyNode | null;
  children: PolicyNode[];
  depth: number;
}

export class PolicyTreeTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`valid_policy_tree exceeds ${limit} nodes`);
  }
}

export class PolicyTree {
  /** levels[d] = the nodes of depth d; empty levels[0] = NULL tree. */
  private levels: PolicyNode[][];
  private created = 1;

  constructor(private readonly maxNodes: number) {
    this.levels = [[{ validPolicy: ANY, expected: new Set([ANY]), parent: null, children: [], depth: 0 }]];
  }

  get isNull(): boolean {
    return this.levels[0]!.length === 0;
  }

  setNull(): void {
    this.levels = [[]];
  }

  private level(d: number): PolicyNode[] {
    while (this.levels.length <= d) this.levels.push([]);
    return this.levels[d]!;
  }

  private add(parent: PolicyNode, validPolicy: string, expected: Set<string>): PolicyNode {
    if (++this.created > this.maxNodes) throw new PolicyTreeTooLarge(this.maxNodes);
    const node: PolicyNode = { validPolicy, expected, parent, children: [], depth: parent.depth + 1 };
    parent.children.push(node);
    this.level(node.depth).push(node);
    return node;
  }

  private remove(node: PolicyNode): void {
    for (const c of [...node.children]) this.remove(c);
    const lv = this.level(node.depth);
    const i = lv.indexOf(node);
    if (i >= 0) lv.splice(i, 1);
    if (node.parent) {
      const j = node.parent.children.indexOf(node);
      if (j >= 0) node.parent.children.splice(j, 1);
    }
  }

  /** Delete childless nodes of depth ≤ maxDepth, bottom up (a deleted root = NULL tree). */
  private prune(maxDepth: number): void {
    for (let d = Math.min(maxDepth, this.levels.length - 1); d >= 0; d--) {
      for (const n of [...this.level(d)]) if (n.children.length === 0) this.remove(n);
    }
  }

  /**
   * §6.1.3 (d) for certificate i (1-based depth) with its certificatePolicies
   * OIDs; `anyPolicyApplies` = the cert asserts anyPolicy and (inhibit_anyPolicy > 0
   * or (i < n and self-issued)).
   */
  processCertificate(i: number, policies: readonly string[], anyPolicyApplies: boolean): void {
    if (this.isNull) return;
    const parents = this.level(i - 1);
    // index the parents by expected policy once (hostile certificates carry thousands of policies)
    const byExpected = new Map<string, PolicyNode[]>();
    for (const node of parents) {
      for (const e of node.expected) {
        const l = byExpected.get(e);
        if (l) l.push(node);
        else byExpected.set(e, [node]);
      }
    }
    const anyParent = parents.find((n) => n.validPolicy === ANY);
    for (const p of policies) {
      if (p === ANY) continue;
      const matches = byExpected.get(p);
      if (matches) for (const node of matches) this.add(node, p, new Set([p]));
      else if (anyParent) this.add(anyParent, p, new Set([p]));
    }
    if (anyPolicyApplies) {
      for (const node of [...parents]) {
        for (const v of node.expected) {
          if (!node.children.some((c) => c.validPolicy === v)) this.add(node, v, new Set([v]));
        }
      }
    }
    this.prune(i - 1);
  }

  /** §6.1.4 (b) policy mappings of certificate i (issuerDomainPolicy → its subjectDomainPolicies). */
  processMappings(i: number, mappings: ReadonlyMap<string, readonly string[]>, mappingAllowed: boolean): void {
    if (this.isNull) return;
    const byPolicy = new Map<string, PolicyNode[]>();
    for (const n of this.level(i)) {
      const l = byPolicy.get(n.validPolicy);
      if (l) l.push(n);
      else byPolicy.set(n.validPolicy, [n]);
    }
    if (mappingAllowed) {
      const any = byPolicy.get(ANY)?.[0];
      for (const [idp, sdps] of mappings) {
        const nodes = byPolicy.get(idp);
        if (nodes) {
          for (const n of nodes) n.expected = new Set(sdps);
        } else if (any && any.parent) {
          this.add(any.parent, idp, new Set(sdps));
        }
      }
    } else {
      for (const idp of mappings.keys()) for (const n of byPolicy.get(idp) ?? []) this.remove(n);
      this.prune(i - 1);
    }
  }

  /** §6.1.5 (g): intersect with the user-initial-policy-set; n = path length. */
  intersect(n: number, userSet: readonly string[]): void {
    if (this.isNull || userSet.includes(ANY)) return;
    const user = new Set(userSet);
    // (1)+(2): nodes whose parent is anyPolicy, outside the user set, go (with their subtrees)
    const vpns: PolicyNode[] = [];
    for (const lv of this.levels) for (const node of lv) if (node.parent && node.parent.validPolicy === ANY) vpns.push(node);
    const kept: PolicyNode[] = [];
    for (const node of vpns) {
      if (node.validPolicy !== ANY && !user.has(node.validPolicy)) this.remove(node);
      else kept.push(node);
    }
    // (3): an anyPolicy leaf stands for every user policy not already present
    const anyLeaf = this.level(n).find((x) => x.validPolicy === ANY);
    if (anyLeaf && anyLeaf.parent) {
      const present = new Set(kept.filter((k) => this.level(k.depth).includes(k)).map((k) => k.validPolicy));
      for (const p of user) if (!present.has(p)) this.add(anyLeaf.parent, p, new Set([p]));
      this.remove(anyLeaf);
    }
    // (4)
    this.prune(n - 1);
  }

  /**
   * The policies of the path in the trust anchor's domain (PKITS's
   * authorities-/user-constrained policy set, after intersect()): for every
   * node at depth n, the valid_policy of its top-most ancestor that is not
   * anyPolicy (policy mappings rename policies below it), or anyPolicy when the
   * whole branch is anyPolicy. Distinct, sorted.
   */
  constrainedPolicies(n: number): string[] {
    if (this.isNull) return [];
    const out = new Set<string>();
    for (const leaf of this.level(n)) {
      let ans: string = ANY;
      for (let p: PolicyNode | null = leaf; p && p.parent; p = p.parent) if (p.validPolicy !== ANY) ans = p.validPolicy;
      out.add(ans);
    }
    return [...out].sort();
  }

  get size(): number {
    let s = 0;
    for (const lv of this.levels) s += lv.length;
    return s;
  }
}
