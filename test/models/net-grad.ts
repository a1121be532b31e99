// For the gradient tests of the dense autoencoder family: a model's own batch loss as a function of its network's
// parameters, checked by central differences in float64 (nn/check-grad, the ts64 route).
import { Random } from "../../src/core/random.js";
import type { Autoencoder, DenseAutoencoderNet } from "../../src/models/autoencoder.js";
import type { BatchLoss } from "../../src/models/base.js";
import { checkGrad, type CheckGradResult } from "../../src/nn/check-grad.js";
import { withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";

/** The protected side of a dense model that the checks use. */
interface Inside {
  net_?: DenseAutoencoderNet;
  buildNet(d: number, rng: Random | null): DenseAutoencoderNet;
  batchLoss(x: Tensor, training: boolean): BatchLoss;
}

/** Puts the tensors ts (in namedParameters order) in the network's places, so that its code uses them. */
export function bindParameters(net: DenseAutoencoderNet, names: string[], ts: Tensor[]): void {
  names.forEach((name, k) => {
    const [part, i, kind] = name.split(".") as [string, string, string];
    const list = part === "encoder" ? (kind === "weight" ? net.encW : net.encB) : (kind === "weight" ? net.decW : net.decB);
    list[Number(i)] = ts[k]!;
  });
}

/**
 * The gradient of model's batch loss on the rows `inputs` ([n, d]) with respect to every parameter of a fresh
 * network (seeded initial weights, small non-zero biases), against central differences in float64.
 */
export function checkModelGrad(model: Autoencoder, inputs: number[], n: number, d: number, seed = 3): CheckGradResult {
  const m = model as unknown as Inside;
  const net = withEngineRoute("ts64", () => m.buildNet(d, new Random(seed)));
  const named = net.namedParameters();
  const names = named.map(([name]) => name);
  const init = named.map(([name, t]) => (name.endsWith("bias") ? Array.from(t.data, (_, i) => 0.1 * Math.sin(i + seed)) : Array.from(t.data)));
  try {
    return checkGrad((x, ...ps) => {
      bindParameters(net, names, ps);
      m.net_ = net;
      const l = m.batchLoss(x!, true);
      return l instanceof Tensor ? l : l.loss;
    }, [[n, d], ...named.map(([, t]) => t.shape.slice())], { values: [inputs, ...init], constant: [0], seed, eps: 1e-6 });
  } finally {
    m.net_ = undefined;
  }
}
