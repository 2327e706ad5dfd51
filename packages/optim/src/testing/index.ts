/**
 * @ssam/optim/testing: the contract suite every transformation passes and the SAM-family laws, for
 * property-testing your own variants, plus the random problems they run on.
 * @example
 * import { runTransformationContract, runSamLaws } from '@ssam/optim/testing';
 * runTransformationContract('my SAM', () => mySam({ rho: 0.05, base: sgd({ lr: 0.1 }) }));
 */
export { runTransformationContract, trajectory, type ContractOptions } from './contract.js';
export { runSamLaws, samLaws, failingSamLaws, type SamLaw, type SamLawConfig, type SamLawOptions, type SparseLaws } from './samLaws.js';
export { recordRun, type StepRecord, type GradCall, type RunOptions } from './lawRun.js';
export {
  norm64, leaves64, referenceAscent, ascentBound, U32, type Leaves64, type AdaptiveLaw, type ReferenceAscent, type ReferenceStep,
} from './reference.js';
export { protocolUpdate } from './step.js';
export {
  smoothProblem, arbProblem, arbLeafShapes, nestLeaves, deepFreeze, snapshot, treesIdentical, sameLayout,
  type SmoothProblem, type ProblemOptions,
} from './problems.js';
