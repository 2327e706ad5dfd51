import { currentBackend, type Backend } from '../backend.js';
import { runtimeOf } from '../backends/wasm/runtimes.js';
import { ArgumentError } from '../errors.js';
import { isTensor } from '../tensor.js';
import { activeTracers } from '../trace.js';
import * as tree from '../tree.js';
import { makePlan, runPlan, type Plan } from './execute.js';
import { isTracing, traceGraph } from './trace.js';

/** What a compiled function has done so far. */
export interface CompileStats {
  /** calls that traced the function and built a new plan */
  readonly traces: number;
  /** calls that ran a cached plan */
  readonly hits: number;
  /** calls that ran the function eagerly (non-wasm backend, under autograd, inside another trace) */
  readonly eager: number;
}

/** Figures of one cached plan, for tests and tuning. */
export interface PlanInfo {
  readonly signature: string;
  /** primitives traced, and left after dead-code and common-subexpression elimination */
  readonly traced: number;
  readonly nodes: number;
  /** arena bytes with buffers reused by liveness, and without reuse */
  readonly arenaBytes: number;
  readonly unsharedBytes: number;
  /** primitives folded into fused elementwise kernels (the plan runs `nodes - fusedAway` kernels) */
  readonly fusedAway: number;
}

export interface CompileOptions {
  /** Name used in error messages (default `compile(<f.name>)`). */
  readonly name?: string;
  /** Fuse chains of elementwise primitives into one pass (default true; same bits either way). */
  readonly fuse?: boolean;
}

export type CompiledFunction<A extends unknown[], R> = ((...args: A) => R) & {
  stats(): CompileStats;
  plans(): PlanInfo[];
};

/**
 * The cache key of a call: the argument tree's structure, each tensor leaf's dtype and shape (and
 * which leaves are the same tensor), and the value of each static leaf (number, string, boolean).
 */
function signature(name: string, args: readonly unknown[]): [string, unknown[]] {
  const [leaves, def] = tree.flatten(args as tree.Tree<unknown>);
  const first = new Map<unknown, number>();
  const parts = leaves.map((l, i) => {
    if (isTensor(l)) {
      const j = first.get(l) ?? i;
      first.set(l, j);
      return `${l.dtype}[${l.shape.join(',')}]${j === i ? '' : `=${j}`}`;
    }
    if (typeof l === 'number') return `n${Object.is(l, -0) ? '-0' : String(l)}`;
    if (typeof l === 'string') return `s${JSON.stringify(l)}`;
    if (typeof l === 'boolean') return `b${l}`;
    const path = tree.paths(args as tree.Tree<unknown>)[i]!.join('.');
    throw new ArgumentError(name, `argument leaf ${path || '(root)'} is a ${typeof l === 'object' ? (l as object).constructor?.name ?? 'object' : typeof l}; a compiled function takes pytrees of tensors, numbers, strings and booleans (numbers, strings and booleans are static: a new value compiles a new plan)`);
  });
  return [`${JSON.stringify(def)}|${parts.join(';')}`, leaves];
}

/**
 * Compiles a pure function of pytrees of tensors (JAX's `jit`). The first call with a new input
 * signature (tree structure, dtypes, shapes, static leaves) traces `f` once, removes dead code and
 * common subexpressions, lays its values out in one arena with buffers reused by liveness, and
 * caches that plan; every call runs the plan for its signature. On the wasm backend the plan runs
 * with every tensor resident in wasm memory: host arrays only for the arguments (copied in) and the
 * outputs (copied out). Results are bit-identical to running `f` eagerly.
 *
 * `f` must be pure: tensors it closes over are baked into the plan when it is traced, and a host
 * read of a traced value (`item()`, `toArray()`, a branch on a value) is an error. On another
 * backend, under an enclosing autograd trace, or inside another compiled function's trace, `f`
 * simply runs eagerly (so `valueAndGrad(compile(f))` differentiates through it; compile the
 * outside instead: `compile(valueAndGrad(f))` is one plan for forward and backward).
 * @example
 * import { compile, tensor, mul, sum } from '@ssam/tensor';
 * const f = compile((x) => sum(mul(x, x)));
 * f(tensor([1, 2, 3])).item(); // 14, traced
 * f(tensor([4, 5, 6])).item(); // 77, cached plan
 */
export function compile<A extends unknown[], R>(f: (...args: A) => R, opts: CompileOptions = {}): CompiledFunction<A, R> {
  const name = opts.name ?? `compile(${f.name || 'f'})`;
  const cache = new WeakMap<Backend, Map<string, Plan>>();
  let traces = 0, hits = 0, eager = 0;
  const infos: PlanInfo[] = [];
  const run = (...args: A): R => {
    const backend = currentBackend();
    const rt = runtimeOf(backend);
    if (rt === undefined || isTracing() || activeTracers().length > 0) {
      eager++;
      return f(...args);
    }
    const [key, leaves] = signature(name, args);
    let plans = cache.get(backend);
    if (plans === undefined) cache.set(backend, (plans = new Map()));
    let plan = plans.get(key);
    if (plan === undefined) {
      const traced = traceGraph(name, f as (...a: never[]) => unknown, args);
      plan = makePlan(traced, { fuse: opts.fuse ?? true, minElements: rt.minElements });
      plans.set(key, plan);
      traces++;
      infos.push({ signature: key, traced: traced.nodes.length, nodes: plan.graph.nodes.length, arenaBytes: plan.layout.bytes, unsharedBytes: plan.layout.unshared, fusedAway: plan.fusedAway });
    } else hits++;
    return runPlan(plan, rt, backend.kernels, leaves) as R;
  };
  return Object.assign(run, { stats: (): CompileStats => ({ traces, hits, eager }), plans: (): PlanInfo[] => [...infos] });
}
