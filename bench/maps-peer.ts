// One map for bench/maps, run in its own process so that a slow peer can be stopped at the time limit.
//   node dist/bench/maps-peer.js <method> <input.npy> <output.npy> [seed]
// Prints {"seconds": ...} on stdout. Methods: latentkit-tsne, latentkit-tsne-3d, latentkit-umap, umap-js, tsne-js, druid-tsne, druid-umap.
import { Matrix } from "../src/core/matrix.js";
import { readNpy, writeNpy } from "../src/io/npy.js";
import { TSNE } from "../src/manifold/tsne.js";
import { UMAP } from "../src/manifold/umap.js";

const [method, input, output] = process.argv.slice(2) as [string, string, string];
const X = readNpy(input);
const rows = (): number[][] => X.toArray();
const t0 = performance.now();
let Z: Matrix;
switch (method) {
  case "latentkit-tsne":
  case "latentkit-tsne-3d":
    Z = await new TSNE({ seed: 0, nComponents: method.endsWith("-3d") ? 3 : 2 }).fitTransform(X);
    break;
  case "latentkit-umap":
    Z = await new UMAP({ seed: 0 }).fitTransform(X);
    break;
  case "umap-js": {
    const { UMAP: UmapJs } = await import("umap-js");
    Z = Matrix.fromArray(new UmapJs({ nComponents: 2, nNeighbors: 15, minDist: 0.1 }).fit(rows()));
    break;
  }
  case "tsne-js": {
    const TsneJs = (await import("tsne-js")).default as unknown as new (o: object) => {
      init(o: object): void; run(): unknown; getOutput(): number[][];
    };
    const m = new TsneJs({ dim: 2, perplexity: 30, earlyExaggeration: 12, learningRate: 200, nIter: 1000, metric: "euclidean" });
    m.init({ data: rows(), type: "dense" });
    m.run();
    Z = Matrix.fromArray(m.getOutput());
    break;
  }
  case "druid-tsne":
  case "druid-umap": {
    const druid = await import("@saehrimnir/druidjs");
    const data = rows().map((r) => Float64Array.from(r));
    const Y = method === "druid-tsne"
      ? new druid.TSNE(data, { d: 2, perplexity: 30, seed: 0 }).transform(1000)
      : new druid.UMAP(data, { d: 2, n_neighbors: 15, min_dist: 0.1, seed: 0 }).transform(350);
    Z = Matrix.fromArray(Array.from(Y as unknown as ArrayLike<ArrayLike<number>>, (r) => Array.from(r)));
    break;
  }
  default:
    throw new Error(`unknown method ${method}`);
}
const seconds = (performance.now() - t0) / 1000;
writeNpy(output, Z.astype("float32"));
process.stdout.write(JSON.stringify({ seconds }) + "\n");
process.exit(0);
