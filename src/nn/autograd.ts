// Reverse-mode automatic differentiation. Each op (src/nn/ops/, one file each) computes its output and, when gradients
// are wanted, records a node on it: its inputs, its output and a backward closure that keeps what it needs (the
// inputs, the output, a mask). backward(loss) orders the nodes that lead to the loss (a depth-first walk from it
// through the nodes' inputs: the tape of that computation) and runs them from the loss back, handing each node the
// gradient of its output and accumulating what it returns into its inputs' gradients: into `grad` for leaves
// (parameters), which accumulates across calls until zeroGrad, and into temporaries for the rest.
// Nodes hang off their outputs only, so a forward pass whose result is dropped is garbage like any other object (no
// global list keeps it); a tidy() scope additionally unhooks the nodes it recorded when it ends.
import { fail } from "../core/errors.js";
import { addInto, copyOf } from "./blas1.js";
import { beginScope, currentScope, endScope } from "./storage.js";
import { Tensor, shapeString } from "./tensor.js";

export interface TapeNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  /** Gradients for each input given the gradient of the output (null where an input needs none). */
  readonly backward: (grad: Tensor) => readonly (Tensor | null)[];
}

let gradEnabled = true;
/** Nodes recorded inside the open scopes (unhooked from their outputs when their scope ends). */
const tape: TapeNode[] = [];

/** Whether ops record tape nodes now. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with the tape off: no node is recorded (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/** Whether an op on these inputs must record a node. */
export function needsGrad(...inputs: readonly Tensor[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Records the node of an op (a no-op unless grad is enabled and some input requires grad) and returns its output.
 * `backward` receives the output's gradient and returns one gradient per input, of the input's shape, or null for
 * inputs that do not require grad (inputs[i].requiresGrad tells which do).
 */
export function record(op: string, inputs: readonly Tensor[], output: Tensor,
  backward: (grad: Tensor) => readonly (Tensor | null)[]): Tensor {
  if (!needsGrad(...inputs)) return output;
  output.requiresGrad = true;
  const node: TapeNode = { op, inputs, output, backward };
  output.node = node;
  if (inScope()) tape.push(node);
  return output;
}

/**
 * An op's gradient for input `x`, written by `write(dst, accumulate)`: straight into `x.grad` when x is a long-lived
 * leaf (a parameter: a GEMM then accumulates into it, with no temporary and no extra pass; the result is null, which
 * backward() skips), else into a new temporary, which is returned for backward() to add in.
 */
export function gradInto(x: Tensor, write: (dst: Tensor, accumulate: boolean) => void): Tensor | null {
  if (!x.node && !x.scoped) {
    if (x.grad) write(x.grad, true);
    else {
      x.grad = Tensor.longLived(x.shape);
      write(x.grad, false);
    }
    return null;
  }
  const t = Tensor.empty(x.shape);
  write(t, false);
  return t;
}

/** Nodes recorded by the open scopes (tests, diagnostics). */
export function tapeLength(): number {
  return tape.length;
}

/** The nodes that lead to `root`, each after every node that consumes its output (reverse topological order). */
function nodesTo(root: TapeNode): TapeNode[] {
  const order: TapeNode[] = [];
  const seen = new Set<TapeNode>([root]);
  // iterative post-order walk: a node is placed once all the nodes of its inputs are
  const stack: { node: TapeNode; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const inputs = top.node.inputs;
    if (top.next < inputs.length) {
      const child = inputs[top.next++]!.node;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push({ node: child, next: 0 });
      }
      continue;
    }
    order.push(top.node);
    stack.pop();
  }
  return order.reverse();
}

/** Drops the tape's nodes from index `from` on (a scope that ended without backward()). */
export function truncateTape(from: number): void {
  for (let i = from; i < tape.length; i++) tape[i]!.output.node = null;
  tape.length = Math.min(tape.length, from);
}

/**
 * Back-propagates from `root` (a scalar loss, or any tensor with `seed` as its gradient) through the tape, adding the
 * gradients into the `grad` of every leaf that requires grad, then clears the tape. Gradients of intermediate results
 * are temporaries of the current scope.
 */
export function backward(root: Tensor, seed?: Tensor): void {
  if (!root.requiresGrad || !root.node) {
    fail(`backward: the tensor ${shapeString(root.shape)} was not computed from anything that requires grad (or its tape was already used)`);
  }
  if (!seed && root.size !== 1) fail(`backward: a tensor of shape ${shapeString(root.shape)} needs a seed gradient of its shape`);
  if (seed && seed.size !== root.size) fail(`backward: the seed ${shapeString(seed.shape)} does not match ${shapeString(root.shape)}`);
  const grads = new Map<Tensor, { g: Tensor; owned: boolean }>();
  grads.set(root, { g: seed ?? Tensor.full(root.shape, 1), owned: false });
  const nodes = nodesTo(root.node);
  try {
    for (const node of nodes) {
      const entry = grads.get(node.output);
      if (!entry) continue;
      grads.delete(node.output);
      const gIn = node.backward(entry.g);
      for (let j = 0; j < node.inputs.length; j++) {
        const x = node.inputs[j]!;
        const g = gIn[j];
        if (!g || !x.requiresGrad) continue;
        if (g.size !== x.size) fail(`backward of ${node.op}: gradient ${shapeString(g.shape)} for input ${shapeString(x.shape)}`);
        if (!x.node) {
          // a leaf: accumulate into its own long-lived (or same-scope) gradient
          // (a scoped leaf's gradient lives as long as the leaf: in its scope, which may enclose this one)
          if (!x.grad) x.grad = Tensor.like(x).copyFrom(g);
          else addInto(x.grad, g);
          continue;
        }
        const prev = grads.get(x);
        if (!prev) grads.set(x, { g, owned: false });
        else if (prev.owned) addInto(prev.g, g);
        else {
          // the first gradient may be shared with another input (an add passes its gradient through): sum into a new one
          const sum = copyOf(prev.g, x.shape);
          addInto(sum, g);
          grads.set(x, { g: sum, owned: true });
        }
      }
    }
  } finally {
    // the graph is used up (as PyTorch's without retain_graph): unhook its nodes so what they hold can go
    for (const node of nodes) node.output.node = null;
  }
}

/** Sets the gradients of these tensors to zero (kept allocated). */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) p.grad?.data.fill(0);
}

/**
 * Runs fn in a scope: every tensor it makes is a temporary, freed when fn returns (or throws), and tape nodes it
 * recorded without a backward() are dropped. fn must not return a tensor (copy what it needs out first: toMatrix,
 * item(), toFloat32Array()). fn must be synchronous (a training step is: the loop awaits between steps).
 */
export function tidy<T>(fn: () => T): T {
  const s = beginScope();
  const mark = tape.length;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    truncateTape(mark);
    endScope(s);
    throw e;
  }
  if (result instanceof Tensor) {
    truncateTape(mark);
    endScope(s);
    fail("tidy(): the function returned a tensor of the scope, which is freed with it; return item(), toMatrix() or a copy instead");
  }
  truncateTape(mark);
  endScope(s);
  return result;
}

/** Whether a scope is open now. */
export function inScope(): boolean {
  return currentScope() !== null;
}
