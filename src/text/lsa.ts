// Latent semantic analysis: a truncated SVD X ≈ U Σ Vᵀ of the tf-idf document-term matrix X. Documents are the rows
// of U Σ (= X V), terms the rows of V Σ; new documents are folded in as x V; search ranks documents by cosine.
import { describeValue, fail, requireInt } from "../core/errors.js";
import { checkSaved, fitted, matrixFromJSON, matrixToJSON, type MatrixJSON, type Progress, type Transformer } from "../core/estimator.js";
import { decodeParams, encodeParams, func, int, object, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { Matrix } from "../core/matrix.js";
import { topK } from "../core/numeric.js";
import { TruncatedSVD, type TruncatedSVDJSON } from "../decomposition/truncated-svd.js";
import { TFIDF_VECTORIZER_PARAMS, TfidfVectorizer, type CountVectorizerJSON, type TfidfVectorizerOptions } from "./vectorizers.js";

export interface LSAOptions {
  /** Latent dimensions (default 100). */
  nComponents?: number;
  /** Options of the tf-idf step (default: scikit-learn's TfidfVectorizer defaults plus English stop words). */
  vectorizer?: TfidfVectorizerOptions;
  /** Power iterations of the randomized SVD (default 5). */
  nIter?: number;
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface Hit {
  /** Row of the document in the fitted corpus. */
  index: number;
  /** Cosine similarity. */
  score: number;
}

export const LSA_PARAMS = {
  nComponents: int("latent dimensions", { min: 1, default: 100 }),
  vectorizer: object<TfidfVectorizerOptions>(TFIDF_VECTORIZER_PARAMS,
    "options of the tf-idf step (default: scikit-learn's TfidfVectorizer defaults plus English stop words)"),
  nIter: int("power iterations of the randomized SVD", { min: 0, default: 5 }),
  seed: int("seed of the randomized SVD", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after each step of the randomized SVD"),
  signal: signal(),
} satisfies Schema<LSAOptions>;

export type LSAParams = ParamsOf<LSAOptions, typeof LSA_PARAMS>;

export interface LSAJSON {
  type: "LSA";
  version: 1;
  options: Record<string, unknown>;
  vectorizer: CountVectorizerJSON;
  svd: TruncatedSVDJSON;
  documents: MatrixJSON;
}

export class LSA implements Transformer<readonly string[], Matrix, LSAParams> {
  static readonly schema = LSA_PARAMS;
  readonly options: LSAParams;
  private vectorizer_?: TfidfVectorizer;
  private svd_?: TruncatedSVD;
  private docs_?: Matrix;
  private docNorms_?: Float64Array;

  constructor(options: LSAOptions = {}) {
    this.options = resolveParams(LSA_PARAMS, options, "LSA");
  }

  getParams(): LSAParams {
    return { ...this.options };
  }

  get vectorizer(): TfidfVectorizer {
    return fitted(this.vectorizer_, "LSA");
  }
  /** Terms (columns of the document-term matrix). */
  get terms(): readonly string[] {
    return this.vectorizer.terms;
  }
  /** Singular values σ₁ ≥ σ₂ ≥ … of the tf-idf matrix. */
  get singularValues(): Float64Array {
    return fitted(this.svd_, "LSA").singularValues;
  }
  /** Vᵀ: k x terms (topic directions over terms). */
  get components(): Matrix {
    return fitted(this.svd_, "LSA").components;
  }
  /** Document vectors U Σ (documents x k). */
  get documentVectors(): Matrix {
    return fitted(this.docs_, "LSA");
  }
  /** Term vectors V Σ (terms x k). */
  get termVectors(): Matrix {
    const C = this.components;
    const S = this.singularValues;
    const T = Matrix.zeros(C.cols, C.rows);
    for (let c = 0; c < C.rows; c++) for (let t = 0; t < C.cols; t++) T.data[t * C.rows + c] = C.data[c * C.cols + t]! * S[c]!;
    return T;
  }

  async fit(docs: readonly string[]): Promise<this> {
    await this.fitTransform(docs);
    return this;
  }

  async fitTransform(docs: readonly string[]): Promise<Matrix> {
    const vec = new TfidfVectorizer({ stopWords: "english", ...this.options.vectorizer });
    const X = await vec.fitTransform(docs);
    const k = this.options.nComponents;
    const r = Math.min(X.rows, X.cols);
    if (k > r) fail(`nComponents=${k} must be <= min(documents, terms) = min(${X.rows}, ${X.cols}) = ${r}`);
    const svd = new TruncatedSVD({
      nComponents: k, nIter: this.options.nIter, seed: this.options.seed,
      ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    const Z = await svd.fitTransform(X);
    this.vectorizer_ = vec;
    this.svd_ = svd;
    this.setDocs(Z);
    return Z;
  }

  /** Folds new documents into the latent space: tf-idf(doc) · V. */
  transform(docs: readonly string[]): Matrix {
    const svd = fitted(this.svd_, "LSA");
    return svd.transform(this.vectorizer.transform(docs));
  }

  /** The fitted documents most similar (cosine in the latent space) to a query text or latent vector. */
  search(query: string | ArrayLike<number>, topk = 10): Hit[] {
    const D = this.documentVectors;
    requireInt("topk", topk, 1);
    const q = typeof query === "string" ? this.transform([query]).data : query;
    if (q.length !== D.cols) fail(`query vector has ${q.length} dimensions, the LSA has ${D.cols}`);
    let qn = 0;
    for (let c = 0; c < D.cols; c++) qn += q[c]! * q[c]!;
    if (qn === 0) {
      if (typeof query === "string") fail(`the query ${JSON.stringify(query)} has no known terms (after stop words)`);
      fail("the query vector is zero");
    }
    qn = Math.sqrt(qn);
    const norms = this.docNorms_!;
    const scores = new Float64Array(D.rows);
    for (let i = 0; i < D.rows; i++) {
      let s = 0;
      for (let c = 0; c < D.cols; c++) s += D.data[i * D.cols + c]! * q[c]!;
      scores[i] = norms[i]! > 0 ? s / (norms[i]! * qn) : -Infinity;
    }
    return topByScore(scores, Math.min(topk, D.rows));
  }

  /** The terms with the largest weights in a latent component (its topic). */
  topTerms(component: number, n = 10): Array<{ term: string; weight: number }> {
    const C = this.components;
    if (!Number.isInteger(component) || component < 0 || component >= C.rows) {
      fail(`component must be an integer in [0, ${C.rows}), got ${describeValue(component)}`);
    }
    const w = C.data.subarray(component * C.cols, (component + 1) * C.cols);
    return topByScore(Float64Array.from(w), Math.min(n, C.cols)).map((h) => ({ term: this.terms[h.index]!, weight: h.score }));
  }

  private setDocs(Z: Matrix): void {
    this.docs_ = Z;
    this.docNorms_ = new Float64Array(Z.rows);
    for (let i = 0; i < Z.rows; i++) {
      let s = 0;
      for (let c = 0; c < Z.cols; c++) s += Z.data[i * Z.cols + c]! ** 2;
      this.docNorms_[i] = Math.sqrt(s);
    }
  }

  toJSON(): LSAJSON {
    return {
      type: "LSA", version: 1,
      options: encodeParams(LSA_PARAMS, this.options),
      vectorizer: this.vectorizer.toJSON(), svd: fitted(this.svd_, "LSA").toJSON(), documents: matrixToJSON(this.documentVectors),
    };
  }

  static fromJSON(json: LSAJSON): LSA {
    checkSaved(json, "LSA");
    const l = new LSA(decodeParams(LSA_PARAMS, json.options, "LSA"));
    const vectorizer = (l.vectorizer_ = TfidfVectorizer.fromJSON(json.vectorizer));
    const svd = (l.svd_ = TruncatedSVD.fromJSON(json.svd));
    const terms = vectorizer.terms.length;
    const k = svd.components.rows;
    if (svd.components.cols !== terms) {
      fail(`LSA: the saved SVD has ${svd.components.cols} term columns but the saved vectorizer has ${terms} terms: the parts come from different models`);
    }
    const docs = matrixFromJSON(json.documents, "LSA.documents");
    if (docs.cols !== k) fail(`LSA.documents has ${docs.cols} columns, expected ${k} (one per component of the saved SVD)`);
    l.setDocs(docs);
    return l;
  }
}

/** Indices of the k largest scores, best first (ties by index). */
export function topByScore(scores: ArrayLike<number>, k: number): Hit[] {
  return topK(scores, k).map((i) => ({ index: i, score: scores[i]! }));
}
