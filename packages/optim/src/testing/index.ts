/**
 * @ssam/optim/testing: the contract suite every transformation passes and the SAM-family laws, for
 * property-testing your own variants, plus the random problems they run on.
 * @example
 * import { runTransformationContract, runSamLaws } from '@ssam/optim/testing';
 * runTransformationContract('my SAM', () => mySam({ rho: 0.05, base: sgd({ lr: 0.1 }) }));
 */
export { runTransformationContract, trajectory, type ContractOptions } from './contract.js';
export { runSamLaws, type SamLawConfig, type SamLawOptions } from './samLaws.js';
export { protocolUpdate } from './step.js';
export {
  smoothProblem, arbProblem, arbLeafShapes, nestLeaves, deepFreeze, snapshot, treesIdentical, sameLayout,
  type SmoothProblem, type ProblemOptions,
} from './problems.js';
