// The neural engine's public API (browser-safe): tensors and their storage routes, the tape, the ops (as the `ops`
// namespace and by name), modules and layers, modules saved and loaded as safetensors bytes (the files are in
// "latentkit/node"), initialisers, optimisers, schedules, clipping and gradient checks.
export { Tensor, sizeOf, shapeString, type Shape } from "./tensor.js";
export { tidy, noGrad, backward, zeroGrad, isGradEnabled, type TapeNode } from "./autograd.js";
export { setEngineRoute, withEngineRoute, engineRoute, nnCore, type EngineRoute } from "./storage.js";
export { checkGrad, type CheckGradOptions, type CheckGradResult } from "./check-grad.js";
export * as ops from "./ops/index.js";
export * from "./ops/index.js";
export { Module, type ModuleSpec, type StateValue, type LoadStateOptions } from "./module.js";
export {
  saveModule, loadModule, loadStateDict, architectureOf, ARCHITECTURE_KEY, type LoadStateDictOptions,
} from "./serialize.js";
export * from "./layers/index.js";
export * as init from "./init.js";
export type { Init } from "./init.js";
export * from "./optim/index.js";
export { fitLoop, BatchBuffer, splitRows, type FitLoopOptions, type LossHistory, type EarlyStopping, type Validation } from "./train.js";
