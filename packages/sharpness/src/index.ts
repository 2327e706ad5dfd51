/**
 * @ssam/sharpness: what SAM claims to change, measured on exact Hessian-vector products
 * (@ssam/autograd's `hvp`, reverse over reverse). Top Hessian eigenvalues by power iteration with
 * deflation, Hutchinson's trace, the spectral density by stochastic Lanczos quadrature (all as
 * PyHessian), SAM's m-sharpness, and filter-normalised loss landscapes (Li et al. 2018). Every
 * function is pure: it takes the model, params, model state, a loss and batches, and a key.
 * @example
 * import { random } from '@ssam/tensor';
 * import { topEigenvalues } from '@ssam/sharpness';
 * topEigenvalues({ model, params, modelState, batches }, { key: random.key(0) }).eigenvalues; // [λmax]
 */
export { hessianOperator, evaluate, lossAndGrad, type Problem, type Batch, type LossFn, type LinearOperator, type Progress, type OnProgress, type MeasureOptions, type KeyedOptions } from './problem.js';
export { paramSpace, type ParamSpace } from './space.js';
export { denseMatrix, matrixOperator, type HessianSource } from './operator.js';
export { symmetricEigen } from './jacobi.js';
export { topEigenvalues, deflate, type TopEigenOptions, type TopEigenResult } from './eigen.js';
export { hutchinsonTrace, meanAndStdErr, type TraceOptions, type TraceResult } from './trace.js';
export { slqDensity, smoothDensity, densityMoment, lanczos, gaussQuadrature, type DensityOptions, type DensityResult, type QuadratureRun, type SmoothOptions } from './density.js';
export { mSharpness, type MSharpnessOptions, type MSharpnessResult } from './m-sharpness.js';
export { randomDirection, directionBetween, normalizeFilters, directionNorm, type DirectionOptions } from './directions.js';
export { landscape1d, landscape2d, grid, type Landscape1d, type Landscape1dOptions, type Landscape2d, type Landscape2dOptions } from './landscape.js';
