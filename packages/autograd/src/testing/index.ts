/**
 * `@ssam/autograd/testing`: finite-difference checks of derivatives for tests.
 * @example
 * import { checkVjp } from '@ssam/autograd/testing';
 * checkVjp((x) => exp(x), tensor([0.1, 0.2])); // throws if the pullback disagrees with finite differences
 */
export { checkVjp, checkJvp, type CheckOptions, type CheckReport } from './check-vjp.js';
