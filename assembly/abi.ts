// The compute core's ABI: the memory layout and the parameter block of every kernel, as plain constants that both
// compilers read. AssemblyScript compiles this file into the kernels (assembly/*.ts import it) and tsc compiles it
// for the TypeScript side (src/core/wasm/*, the kernels' wrappers), so a slot has one number in one place.
//
// Keep it to `export const NAME = <integer expression>;`: that is valid (and means the same) in both languages. A
// parameter block is an array of 4-byte slots at a pointer the kernel receives; a slot holds an i32 (a count, or a
// byte offset into the memory) unless its comment says f32, and an f64 takes two slots starting at an even one.
// Kernels read slots with prm/prmF32/prmF64 (assembly/common.ts), the TypeScript side writes them with ParamBlock
// (src/core/wasm/runtime.ts). Every parallel kernel is `xxxPart(params, part, parts)`; see src/core/wasm/jobs.ts.

// ---- memory layout -------------------------------------------------------------------------------------------------

/** Bytes at the start of the memory reserved for the worker pool's control block (src/core/wasm/jobs.ts). */
export const CONTROL_BYTES = 256;
/** The call block: the parameter block of a job whose parameters live for that job only (WasmCore.callBlock). */
export const CALL_BLOCK = 256;
export const CALL_BLOCK_SLOTS = 64;
/** Where the module's static data starts (the build passes it as --memoryBase); today the kernels have none. */
export const DATA_BASE = 1024;
/** Where the runtime's allocator starts. The build fails if the module's static data reaches past it. */
export const HEAP_BASE = 65536;

// ---- gemm (assembly/gemm.ts): C[m0..m1) += op(A)·B with B packed by packB ----------------------------------------

export const GEMM_MR = 4;
export const GEMM_NR = 8;
export const GEMM_KC = 256;
export const GEMM_MC = 128;
/** Floats of scratch each participant of a GEMM job needs: a packed MC x KC block of A and an MR x NR edge tile. */
export const GEMM_WORK_FLOATS = GEMM_MC * GEMM_KC + GEMM_MR * GEMM_NR;

export const GEMM_A = 0;
export const GEMM_RS_A = 1;
export const GEMM_CS_A = 2;
export const GEMM_B_PACK = 3;
export const GEMM_C = 4;
export const GEMM_LDC = 5;
export const GEMM_M = 6;
export const GEMM_N = 7;
export const GEMM_K = 8;
/** Scratch for all participants, GEMM_WORK_FLOATS each. */
export const GEMM_WORK = 9;

// ---- squared row norms (assembly/distances.ts) ---------------------------------------------------------------------

export const ROWNORMS_A = 0;
export const ROWNORMS_LD = 1;
export const ROWNORMS_COLS = 2;
export const ROWNORMS_ROWS = 3;
export const ROWNORMS_OUT = 4;

// ---- k-nearest-neighbour selection from a block of inner products (assembly/distances.ts) ------------------------

export const KNN_G = 0;
export const KNN_N = 1;
export const KNN_XN = 2;
export const KNN_QN = 3;
export const KNN_K = 4;
export const KNN_SELF_BASE = 5;
export const KNN_OUT_D = 6;
export const KNN_OUT_I = 7;
export const KNN_ROWS = 8;

// ---- exact f64 squared distances (assembly/distances.ts) -----------------------------------------------------------

export const SQDIST_X = 0;
export const SQDIST_N = 1;
export const SQDIST_D = 2;
export const SQDIST_I0 = 3;
export const SQDIST_ROWS = 4;
export const SQDIST_OUT = 5;

// ---- CSR times dense (assembly/sparse.ts) --------------------------------------------------------------------------

export const CSR_INDPTR = 0;
export const CSR_INDICES = 1;
export const CSR_DATA = 2;
export const CSR_B = 3;
export const CSR_C = 4;
export const CSR_K = 5;
export const CSR_ROWS = 6;

// ---- batched FFT along columns or rows (assembly/fft.ts) -----------------------------------------------------------

export const FFT_RE = 0;
export const FFT_IM = 1;
export const FFT_LD = 2;
export const FFT_N = 3;
/** Columns (fftColumnsPart) or rows (fftRowsPart) to transform, from 0; split between the parts in pairs. */
export const FFT_COUNT = 4;
export const FFT_STAGES = 5;
export const FFT_N_STAGES = 6;
/** Scratch for all participants, FFT_SCRATCH_PLANES·n·chunk f64 each. */
export const FFT_SCRATCH = 7;
export const FFT_CHUNK = 8;
export const FFT_NZ_IN = 9;
export const FFT_N_OUT = 10;
/** fftColumnsPart: the spectrum to multiply by (0: none); fftRowsPart: 1 for the inverse transform. */
export const FFT_LAST = 11;
export const FFT_SCRATCH_PLANES = 4;

// ---- t-SNE attractive forces (assembly/tsne.ts): rows of the symmetric P ----------------------------------------

/** CSR of all of P (both triangles). */
export const TSNE_ATTR_INDPTR = 0;
export const TSNE_ATTR_INDICES = 1;
/** f64 values of P. */
export const TSNE_ATTR_VALUES = 2;
export const TSNE_ATTR_Y = 3;
/** The f64 output (n x dims); each row is written by one participant. */
export const TSNE_ATTR_OUT = 4;
export const TSNE_ATTR_N = 5;
export const TSNE_ATTR_DIMS = 6;
export const TSNE_ATTR_SLOTS = 7;

// ---- t-SNE Barnes–Hut repulsion (assembly/tsne.ts): bhGroupBuild, then bhGroupPart -------------------------------

/** f64 map, dims per point. */
export const BH_Y = 0;
export const BH_N = 1;
export const BH_LEAF_SIZE = 2;
export const BH_GROUP_SIZE = 3;
/** Morton keys (u32 n); bhGroupBuild swaps the two key and the two permutation buffers as its radix sort needs. */
export const BH_KEYS = 4;
/** Sorted position → point (i32 n); read it after bhGroupBuild. */
export const BH_PERM = 5;
export const BH_KEYS2 = 6;
export const BH_PERM2 = 7;
/** f32 coordinates of the sorted points. */
export const BH_PX = 8;
export const BH_PY = 9;
/** f64 centre of mass of each node. */
export const BH_NODE_X = 10;
export const BH_NODE_Y = 11;
/** f64 mass and width² of each node. */
export const BH_NODE_MASS = 12;
export const BH_NODE_WIDTH2 = 13;
/** i32 per node: first child, number of children, range [start, end) of sorted points, level (scratch). */
export const BH_NODE_CHILD = 14;
export const BH_NODE_KIDS = 15;
export const BH_NODE_START = 16;
export const BH_NODE_END = 17;
export const BH_NODE_LEVEL = 18;
/** i32 node ids of the groups, ascending start. */
export const BH_GROUPS = 19;
/** Written by bhGroupBuild: the number of groups and of nodes. */
export const BH_OUT_GROUPS = 20;
export const BH_OUT_NODES = 21;
/** 256 i32 of scratch for the radix sort. */
export const BH_SCRATCH = 22;
/** 1 KiB traversal stack per participant. */
export const BH_STACKS = 23;
/** Interaction lists, BH_LIST_BYTES per participant. */
export const BH_LISTS = 24;
export const BH_LIST_BYTES = 25;
/** f64 forces, dims per point. */
export const BH_OUT = 26;
/** f64 part of Z per group. */
export const BH_Z = 27;
/** The counter of groups handed out (cleared by bhGroupBuild). */
export const BH_COUNTER = 28;
export const BH_DIMS = 29;
export const BH_PZ = 30;
export const BH_NODE_Z = 31;
/** f64: θ². */
export const BH_THETA2 = 32;
export const BH_SLOTS = 34;

// ---- t-SNE transform: Barnes–Hut forces on new points from a fixed map (assembly/tsne.ts, bhQueryPart) ----------

/** The BH_* block of the reference map's tree (built by bhGroupBuild; its stacks are used). */
export const TSNE_QUERY_TREE = 0;
/** f64 new points, dims per point. */
export const TSNE_QUERY_Q = 1;
export const TSNE_QUERY_M = 2;
/** f64 out: Σ_j w_ij² (q_i − y_j), dims per point; and Σ_j w_ij per point. */
export const TSNE_QUERY_OUT = 3;
export const TSNE_QUERY_Z = 4;
export const TSNE_QUERY_SLOTS = 5;

// ---- a whole t-SNE gradient in one job (assembly/tsne.ts) ----------------------------------------------------------

/** The attraction's and the repulsion's parameter blocks. */
export const TSNE_GRAD_ATTR = 0;
export const TSNE_GRAD_BH = 1;

// ---- UMAP SGD epoch, 2-D (assembly/umap.ts) ------------------------------------------------------------------------

export const UMAP_HEAD = 0;
export const UMAP_TAIL = 1;
export const UMAP_N_TAIL = 2;
export const UMAP_EDGE_HEADS = 3;
export const UMAP_EDGE_TAILS = 4;
/** f64 per edge: epochs per sample, per negative sample, and the next epoch of each. */
export const UMAP_EPOCHS_PER_SAMPLE = 5;
export const UMAP_EPOCHS_PER_NEGATIVE = 6;
export const UMAP_NEXT_SAMPLE = 7;
export const UMAP_NEXT_NEGATIVE = 8;
export const UMAP_N_EDGES = 9;
export const UMAP_MOVE_OTHER = 10;
export const UMAP_SEED = 11;
/** Two 1025-entry f64 tables: log2(1 + i/1024), then 2^(i/1024) (see tablePow). */
export const UMAP_POW_TABLES = 12;
/** x^b at 2^e·(1 + m/256), e = UMAP_POW_EMIN..UMAP_POW_EMAX + 1 (see binnedPow). */
export const UMAP_POW_BINS = 13;
/** f64 slots. */
export const UMAP_EPOCH = 16;
export const UMAP_ALPHA = 18;
export const UMAP_A = 20;
export const UMAP_B = 22;
export const UMAP_GAMMA = 24;
export const UMAP_SLOTS = 26;
export const UMAP_POW_EMIN = -40;
export const UMAP_POW_EMAX = 40;

// ---- word2vec training (assembly/word2vec.ts) ----------------------------------------------------------------------

export const W2V_IDS = 0;
/** For each token, the end offset of its sentence. */
export const W2V_SENT_END = 1;
export const W2V_T0 = 2;
export const W2V_T1 = 3;
/** Subsampling keep-probability of each word, scaled to 2^24. */
export const W2V_KEEP = 4;
export const W2V_SYN0 = 5;
export const W2V_SYN1 = 6;
export const W2V_DIM = 7;
export const W2V_WINDOW = 8;
export const W2V_NEGATIVE = 9;
export const W2V_TABLE = 10;
export const W2V_TABLE_SIZE = 11;
export const W2V_EXP = 12;
/** f32: the learning rate at t0 and at t1. */
export const W2V_ALPHA0 = 13;
export const W2V_ALPHA1 = 14;
export const W2V_CBOW = 15;
export const W2V_SEED = 16;
/** Scratch for all participants, W2V_SCRATCH_BYTES each (see w2vScratchBytes). */
export const W2V_SCRATCH = 17;
export const W2V_SCRATCH_BYTES = 18;
/** One i32 per participant: the tokens it trained. */
export const W2V_COUNTS = 19;
/** Skip-gram negatives drawn once per centre word and shared by its window (1), or per pair (0). */
export const W2V_SHARED = 20;
export const W2V_SLOTS = 21;
/** The sigmoid table: W2V_EXP_SIZE entries of σ over [−W2V_MAX_EXP, W2V_MAX_EXP] (word2vec.c's EXP_TABLE_SIZE). */
export const W2V_EXP_SIZE = 1000;
export const W2V_MAX_EXP = 6;

// ---- random walks, DeepWalk and node2vec (assembly/walks.ts) -------------------------------------------------------

/** The graph in CSR: row offsets (n + 1 i32), neighbour ids (sorted within rows). */
export const WALK_INDPTR = 0;
export const WALK_INDICES = 1;
/** f32 weights beside the indices (0: unweighted; then the three tables below are 0 too). */
export const WALK_WEIGHTS = 2;
/** Per-row alias tables of the weights (Walker/Vose): f32 keep-probability and i32 alias (index within the row). */
export const WALK_ALIAS_PROB = 3;
export const WALK_ALIAS_IDX = 4;
/** f64 row sums of the weights. */
export const WALK_ROW_WEIGHT = 5;
/** The start node of each walk of the job (i32). */
export const WALK_STARTS = 6;
/** Walks in the job. */
export const WALK_COUNT = 7;
/** The global index of the job's first walk: walk k's random stream is seeded from (seed, first + k). */
export const WALK_FIRST = 8;
export const WALK_SEED = 9;
/** Nodes per walk (the start node included). */
export const WALK_LENGTH = 10;
/** Output: walk k at OUT + 4·k·LENGTH; its length (< LENGTH at a dead end) in LENS[k]. */
export const WALK_OUT = 11;
export const WALK_LENS = 12;
/** 1: second-order (node2vec) steps; 0: first-order (DeepWalk). */
export const WALK_SECOND = 13;
export const WALK_DIRECTED = 14;
/** Rows of at most this degree take the exact on-the-fly sampler; larger ones rejection sampling. */
export const WALK_EXACT_MAX_DEGREE = 15;
/** Rejected proposals after which a step falls back to the exact sampler (the result stays exact). */
export const WALK_MAX_TRIALS = 16;
/** f64 scratch for all participants, WALK_SCRATCH_LEN doubles each (the largest degree). */
export const WALK_SCRATCH = 17;
export const WALK_SCRATCH_LEN = 18;
/** Three i32 per participant: steps taken, proposals drawn by rejection sampling, steps sampled exactly. */
export const WALK_COUNTS = 19;
/** f64: 1/p and 1/q. */
export const WALK_P_INV = 20;
export const WALK_Q_INV = 22;
/**
 * Neighbour bitmaps of the hubs (rows of degree >= max(64, n/32), so a bitmap of n bits costs at most what the row
 * does): per node the i32 word offset of its bitmap or −1, and the u32 words (0, 0: none). A membership test in a
 * hub's row is one load.
 */
export const WALK_BITMAP_OFFSET = 24;
export const WALK_BITMAPS = 25;
export const WALK_SLOTS = 26;

// ---- nn elementwise and reductions (assembly/nn/elementwise.ts, assembly/nn/reduce.ts) ----------------------------
// Op codes of nnBinary (c = a ∘ b over a 3-level strided broadcast) and of nnUnary / nnUnaryGrad.

export const NN_ADD = 0;
export const NN_SUB = 1;
export const NN_MUL = 2;
export const NN_DIV = 3;

export const NN_EXP = 0;
export const NN_LOG = 1;
export const NN_TANH = 2;
export const NN_SIGMOID = 3;
export const NN_RELU = 4;
/** alpha: the slope for x < 0. */
export const NN_LEAKY_RELU = 5;
/** x·Φ(x), Φ the standard normal CDF (exact erf GELU). */
export const NN_GELU = 6;
export const NN_SQUARE = 7;
export const NN_SQRT = 8;
/** x + alpha (forward only: its gradient passes through). */
export const NN_ADD_SCALAR = 9;

// nnUnaryPart / nnUnaryGradPart: the transcendental unary ops (exp, log, tanh, sigmoid, gelu) on large tensors,
// split over the threads in runs of 16 floats (every value is computed as by the one-part kernel).
export const NN_UNARY_OP = 0;
export const NN_UNARY_X = 1;
export const NN_UNARY_Y = 2;
export const NN_UNARY_G = 3;
export const NN_UNARY_DX = 4;
export const NN_UNARY_N = 5;
/** f32. */
export const NN_UNARY_ALPHA = 6;
export const NN_UNARY_SLOTS = 7;
// ---- neural engine optimisers (assembly/nn/optim.ts) ---------------------------------------------------------------

/** The tensors of one update: how many, and the byte offset of their list (NN_OPT_ENTRY_SLOTS slots each). */
export const NN_OPT_COUNT = 0;
export const NN_OPT_LIST = 1;
/** f32: SGD's learning rate, its momentum (Nesterov's look-ahead) / Adam's β1 and β2, Adam's ε. */
export const NN_OPT_LR = 2;
export const NN_OPT_B1 = 3;
export const NN_OPT_B2 = 4;
export const NN_OPT_EPS = 5;
/** f32: L2 weight decay, added to the gradient (SGD, Adam; AdamW's decoupled decay is an entry's NN_OPT_E_F2). */
export const NN_OPT_WD = 6;
/** SGD with Nesterov momentum (1) or plain momentum (0). */
export const NN_OPT_NESTEROV = 7;
export const NN_OPT_SLOTS = 8;
/** One tensor of the list: parameter, gradient, first and second state (byte offsets; 0: none), element count, */
export const NN_OPT_E_P = 0;
export const NN_OPT_E_G = 1;
export const NN_OPT_E_S1 = 2;
export const NN_OPT_E_S2 = 3;
export const NN_OPT_E_N = 4;
/**
 * and three f32 of its own step: Adam: step size lr/(1−β1^t), 1/√(1−β2^t), the decoupled decay factor 1 − lr·wd
 * (1 for Adam); SGD: the factor of the old momentum buffer (0 on its first step) and of the gradient (1 − dampening,
 * 1 on the first step).
 */
export const NN_OPT_E_F0 = 5;
export const NN_OPT_E_F1 = 6;
export const NN_OPT_E_F2 = 7;
export const NN_OPT_ENTRY_SLOTS = 8;

// ---- neural engine: BCE with logits over the threads (assembly/nn/loss.ts) ----------------------------------------

export const NN_BCE_X = 0;
export const NN_BCE_T = 1;
/** Backward's outputs (byte offsets; 0: not wanted). */
export const NN_BCE_DX = 2;
export const NN_BCE_DT = 3;
export const NN_BCE_N = 4;
/** f32: backward's factor (the output's gradient over the mean's count). */
export const NN_BCE_SCALE = 5;
/** Forward: one f64 per chunk of NN_BCE_CHUNK elements, its sum (added in order on the caller's side, so the loss
 * does not depend on the number of parts). */
export const NN_BCE_SUMS = 6;
export const NN_BCE_SLOTS = 7;
export const NN_BCE_CHUNK = 4096;

// ---- neural engine: the fused linear layer's passes over the threads (assembly/nn/linear.ts) ----------------------

/** Forward: z (+= b), y = act(z); backward: s (the saved output, or z for GELU), g, dz, db (0: not wanted). */
export const NN_LIN_Z = 0;
export const NN_LIN_Y = 1;
export const NN_LIN_B = 2;
export const NN_LIN_G = 3;
export const NN_LIN_DZ = 4;
export const NN_LIN_ROWS = 5;
export const NN_LIN_COLS = 6;
/** The activation's code (src/nn/ops/linear.ts). */
export const NN_LIN_ACT = 7;
export const NN_LIN_SLOTS = 8;

// ---- nn convolution and pooling (assembly/nn/conv.ts, assembly/nn/pool.ts) ----------------------------------------
// Every job splits over images (convolution) or over N·C planes (pooling).

/** im2col / col2im: the NCHW tensor, and the columns [C·kh·kw, N·Ho·Wo]. */
export const NNCONV_X = 0;
export const NNCONV_COL = 1;
export const NNCONV_N = 2;
export const NNCONV_C = 3;
export const NNCONV_H = 4;
export const NNCONV_W = 5;
export const NNCONV_KH = 6;
export const NNCONV_KW = 7;
export const NNCONV_SH = 8;
export const NNCONV_SW = 9;
export const NNCONV_PH = 10;
export const NNCONV_PW = 11;
export const NNCONV_HO = 12;
export const NNCONV_WO = 13;
export const NNCONV_SLOTS = 14;

/** Image-wise layout passes: rows [N, HW, C] to NCHW with a bias (nnBiasNchwPart), NCHW to [C, N·HW] with per-image
 *  channel sums (nnNchwToCnhwPart). */
export const NNTR_SRC = 0;
/** 0: none (nnNchwToCnhwPart then only sums; nnBiasNchwPart adds the bias to SRC in place). */
export const NNTR_DST = 1;
export const NNTR_N = 2;
export const NNTR_C = 3;
export const NNTR_HW = 4;
/** [C] bias added to every plane (0: none). */
export const NNTR_BIAS = 5;
/** [N, C] per-image channel sums of the NCHW side (0: none). */
export const NNTR_SUMS = 6;
export const NNTR_SLOTS = 7;

/** Pooling over N·C planes: input, output, argmax (i32, index in the input plane) for max pooling. */
export const NNPOOL_X = 0;
export const NNPOOL_Y = 1;
export const NNPOOL_IDX = 2;
export const NNPOOL_PLANES = 3;
export const NNPOOL_H = 4;
export const NNPOOL_W = 5;
export const NNPOOL_KH = 6;
export const NNPOOL_KW = 7;
export const NNPOOL_SH = 8;
export const NNPOOL_SW = 9;
export const NNPOOL_PH = 10;
export const NNPOOL_PW = 11;
export const NNPOOL_HO = 12;
export const NNPOOL_WO = 13;
export const NNPOOL_SLOTS = 14;

// ---- column statistics and centring (assembly/columns.ts) ----------------------------------------------------------

/** colStatsPart: X rows × cols (f32, row-major); out: per part, cols f64 column sums then one f64 max |x|. */
export const COLSTATS_X = 0;
export const COLSTATS_ROWS = 1;
export const COLSTATS_COLS = 2;
export const COLSTATS_OUT = 3;
/** centerPart: dst = src − mean (mean: cols f64), in place when dst = src; out: per part, one f64 sum of squares. */
export const CENTER_SRC = 0;
export const CENTER_DST = 1;
export const CENTER_ROWS = 2;
export const CENTER_COLS = 3;
export const CENTER_MEAN = 4;
export const CENTER_OUT = 5;
