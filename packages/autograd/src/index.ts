/**
 * @ssam/autograd: JAX-style differentiation of pure functions of pytrees on any @ssam/tensor
 * backend: reverse mode (vjp, grad, valueAndGrad), forward mode (jvp), exact Hessian-vector
 * products, stopGradient and custom backward rules. Derivatives nest to any order.
 * @example
 * import { tensor, sum, mul } from '@ssam/tensor';
 * import { grad } from '@ssam/autograd';
 * grad((x) => sum(mul(x, x)))(tensor([1, 2])); // [2, 4]
 */
export { vjp, type Pullback } from './vjp.js';
export { valueAndGrad, grad, type GradOptions } from './grad.js';
export { jvp, hvp } from './jvp.js';
export { stopGradient, customVjp } from './custom.js';
export { vjpRules, type VjpRule, type RuleNode } from './rules.js';
export type { VjpOverride, OverrideNode } from './override.js';
