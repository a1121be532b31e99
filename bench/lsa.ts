// LSA on the GCIDE definitions (one document per line): tf-idf + 100-d truncated SVD, latentkit against
// scikit-learn's TfidfVectorizer + TruncatedSVD (Debian python3-sklearn) on the same documents. Not a test.
//   npm run build && node dist/bench/lsa.js [--docs 116562] [-k 100]
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TruncatedSVD } from "../src/decomposition/truncated-svd.js";
import { readDocuments } from "../src/io/corpus.js";
import { TfidfVectorizer } from "../src/text/vectorizers.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const k = Number(arg("-k", "100"));
const [minDf, maxDf] = [2, 0.5];
let docs = await readDocuments(join(root, "../shared/data/text/gcide-definitions.txt.gz"));
docs = docs.slice(0, Number(arg("--docs", String(docs.length))));
const tmp = mkdtempSync(join(tmpdir(), "latentkit-lsa-"));
const file = join(tmp, "docs.txt");
writeFileSync(file, docs.join("\n") + "\n");

let best: { tfidf: number; svd: number; seconds: number; terms: number; nnz: number; sigma: number[] } | null = null;
for (let rep = 0; rep < 2; rep++) {
  const t0 = performance.now();
  const X = await new TfidfVectorizer({ minDf, maxDf, stopWords: "english" }).fitTransform(docs);
  const t1 = performance.now();
  const svd = new TruncatedSVD({ nComponents: k, nIter: 5, seed: 0 });
  await svd.fitTransform(X);
  const t2 = performance.now();
  const r = { tfidf: (t1 - t0) / 1000, svd: (t2 - t1) / 1000, seconds: (t2 - t0) / 1000, terms: X.cols, nnz: X.nnz, sigma: Array.from(svd.singularValues.slice(0, 5)) };
  if (!best || r.seconds < best.seconds) best = r;
}
console.log(`GCIDE: ${docs.length} documents; tf-idf (min_df ${minDf}, max_df ${maxDf}, English stop words) + ${k}-d truncated SVD (5 power iterations)`);
console.log("\n| implementation | terms | nnz | tf-idf s | SVD s | total s | σ₁..σ₃ |");
console.log("|---|---:|---:|---:|---:|---:|---|");
const line = (name: string, r: NonNullable<typeof best>): void =>
  console.log(`| ${name} | ${r.terms} | ${r.nnz} | ${r.tfidf.toFixed(2)} | ${r.svd.toFixed(2)} | ${r.seconds.toFixed(2)} | ${r.sigma.slice(0, 3).map((s) => s.toFixed(3)).join(", ")} |`);
line("latentkit", best!);
const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import sklearn"]).status === 0);
if (!python) console.log("scikit-learn not found (apt-get install python3-sklearn)");
else {
  const r = spawnSync(python, [join(root, "bench/lsa_sklearn.py"), file, String(k), String(minDf), String(maxDf)], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) console.log(`scikit-learn failed: ${r.stderr.trim().split("\n").slice(-1)[0]}`);
  else {
    const s = JSON.parse(r.stdout.trim().split("\n").pop()!) as NonNullable<typeof best> & { version: string };
    line(`scikit-learn ${s.version}`, s);
    console.log(`\ntime ratio latentkit/scikit-learn: ${(best!.seconds / s.seconds).toFixed(2)}`);
  }
}
