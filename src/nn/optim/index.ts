export type { Optimizer, OptimizerState, OptimizerStateJSON } from "./optimizer.js";
export { BaseOptimizer, type ParamList } from "./base.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export {
  StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup, ReduceLROnPlateau, type LrSchedule, type HasLr,
  type ReduceLROnPlateauOptions,
} from "./schedule.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
