// The studio's view state in the URL hash: round trips, compact selections, and hostile hashes that decode to the
// valid fields only, never throwing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decode, decodeSelection, encode, encodeSelection, MAX_SELECTION, type ViewState } from "../../src/studio/data/state.js";

const full: ViewState = {
  projection: "tsne",
  params: { perplexity: 30, nNeighbors: 15, minDist: 0.1, seed: 42, pcaDims: 50 },
  dims: 3,
  color: "label & class = ok?",
  camera: { mode: "3d", center: [0.125, -3.5, 1e-7], zoom: 2.5, yaw: 0.7853982, pitch: -0.3 },
  search: { query: "^T-shirt|Bag #1", column: "label", regex: true },
  custom: { column: "label", regex: true, xLeft: "^man$", xRight: "king & queen", yDown: "", yUp: "wo+man" },
  selection: Int32Array.from([0, 1, 2, 3, 10, 11, 500, 1796]),
  isolate: true,
  focus: 17,
  neighbours: { k: 10, metric: "cosine", space: "map" },
};

test("encode/decode round trip of every field (URL-safe text, unicode, special characters)", () => {
  const h = encode(full);
  assert.match(h, /^[A-Za-z0-9%._~+=&*-]+$/, "only URL-safe characters");
  assert.deepEqual(decode(h), full);
  assert.deepEqual(decode("#" + h), full, "a leading # is fine");
  const uni: ViewState = { color: "Größe 名前", search: { query: "ü+ 🐈" } };
  assert.deepEqual(decode(encode(uni)), uni);
  assert.deepEqual(decode(encode({})), {});
  assert.equal(encode({}), "");
  // with the data's size and columns known, the same state passes
  assert.deepEqual(decode(h, { n: 1797, columns: ["label", "label & class = ok?"] }), full);
});

test("custom axes and isolate: readable keys, older JSON hashes still read", () => {
  const h = encode({ projection: "custom", custom: { column: "label", xLeft: "0", xRight: "1", yDown: "3", yUp: "7" }, selection: Int32Array.of(4, 5), isolate: true });
  assert.equal(h, "p=custom&cc=label&xl=0&xr=1&yd=3&yu=7&sel=4-5&iso=1");
  assert.deepEqual(decode("p=custom&xl=a&xr=b"), { projection: "custom", custom: { xLeft: "a", xRight: "b" } }, "y and the column are optional");
  assert.deepEqual(decode("xl=a"), {}, "the x axis needs both queries");
  assert.deepEqual(decode("xl=a&xr=b&yu=c"), { custom: { xLeft: "a", xRight: "b" } }, "a lone y query is dropped");
  assert.deepEqual(decode("xl=a&xr=b&cc=word", { columns: ["label"] }), { custom: { xLeft: "a", xRight: "b" } }, "an unknown column is dropped");
  // the hash the studio wrote before: each axis's queries as JSON in cx and cy
  const old = new URLSearchParams({ p: "custom", cx: JSON.stringify({ column: "label", regex: false, left: "0", right: "1" }), cy: JSON.stringify({ down: "3", up: "7" }) }).toString();
  assert.deepEqual(decode(old), { projection: "custom", custom: { column: "label", xLeft: "0", xRight: "1", yDown: "3", yUp: "7" } });
  assert.deepEqual(decode("cx=king&cy=woman"), {}, "a cx that is not the old JSON is dropped");
  assert.deepEqual(decode("cx=%7B%22left%22%3A1%7D"), {}, "old JSON with non-text queries is dropped");
  // isolate only with a selection (an empty or dropped selection shows every point)
  assert.equal(decode("sel=1-3&iso=1").isolate, true);
  assert.equal(decode("iso=1").isolate, undefined);
  assert.equal(decode("sel=&iso=1").isolate, undefined);
  assert.equal(decode("sel=1-3&iso=yes").isolate, undefined);
  assert.equal(encode({ isolate: true }), "", "isolate without a selection is not written");
});

test("the selection is compact: runs in base 36, and capped when encoding", () => {
  assert.equal(encodeSelection([15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 48, 49, 50, 51, 52, 53, 54, 55, 56]), "0-a.f.1c-1k");
  assert.deepEqual(Array.from(decodeSelection("0-a.f.1c-1k")!), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 48, 49, 50, 51, 52, 53, 54, 55, 56]);
  assert.equal(encodeSelection([3, 3, 2, -1, 1.5]), "2-3", "duplicates merged, non-indices left out");
  // 50,000 contiguous points: a few characters
  const block = Int32Array.from({ length: 50000 }, (_, i) => i + 1000);
  assert.equal(encode({ selection: block }), "sel=rs-13cn");
  assert.deepEqual(decode(encode({ selection: block })).selection, block);
  // every other point of 70,000: too long for the cap, left out (the rest of the state stays)
  const sparse = Int32Array.from({ length: 35000 }, (_, i) => 2 * i);
  const h = encode({ selection: sparse, dims: 2 });
  assert.equal(h, "d=2");
  assert.deepEqual(decode(encode({ selection: sparse }, { maxSelectionChars: 1e6 })).selection, sparse);
});

test("hostile hashes: never throws, drops what is invalid, keeps what is valid", () => {
  const hostile = [
    "%", "%E0%A4%A", "p=%ZZ", "=&=&&", "#####", "p=__proto__", "__proto__=1&constructor=2", "p=pca&p=tsne",
    "cam=2d,1,2,3", "cam=2d,1,2,3,0,0,0", "cam=4d,1,2,3,1,0,0", "cam=2d,NaN,0,0,1,0,0", "cam=2d,1e400,0,0,1,0,0", "cam=" + "1,".repeat(10000),
    "sel=-1", "sel=0-zzzzzzz", "sel=5-3", "sel=a..b", "sel=0-a-b", "sel=" + "0.".repeat(100000) + "0", "sel=ZZ", "sel=0x10",
    "f=-3", "f=1.5", "f=1e300", "k=0", "k=99999", "m=manhattan", "sp=../", "d=4", "d=2.0", "perp=-5", "perp=Infinity", "nn=1",
    "seed=1.5", "md=1e9", "qr=1&q=(unclosed", "iso=1", "cx={", "cx=null", "cx=[1]", "xl=" + "z".repeat(5000) + "&xr=a", "cr=1&yd=a&yu=b", "q=" + "x".repeat(5000), "c=" + "y".repeat(5000), "x".repeat(300000),
  ];
  for (const h of hostile) {
    let s: ViewState | undefined;
    assert.doesNotThrow(() => (s = decode(h)), h.slice(0, 40));
    for (const k of Object.keys(s!)) assert.ok(["projection", "search", "selection"].includes(k), `${h.slice(0, 40)} gave ${k}`);
  }
  assert.deepEqual(decode("p=__proto__"), {});
  assert.deepEqual(decode("p=pca&p=tsne"), { projection: "pca" }, "the first of repeated keys");
  assert.deepEqual(decode("qr=1&q=(unclosed"), { search: { query: "(unclosed" } }, "an invalid regex is searched as text");
  assert.equal(decode("sel=0-zzzzzzz").selection, undefined, "a range of billions is refused without allocating it");
  assert.ok(MAX_SELECTION < parseInt("zzzzzzz", 36));
  assert.equal(Object.getPrototypeOf(decode("__proto__=1")), Object.prototype);
  // valid and invalid fields side by side
  assert.deepEqual(decode("p=umap&nn=abc&md=0.5&d=7&f=3&m=cosine&cam=2d,0,0,0,-1,0,0"), { projection: "umap", params: { minDist: 0.5 }, focus: 3, neighbours: { metric: "cosine" } });
  assert.equal(decode(5 as unknown as string).projection, undefined);
});

test("indices and columns are checked against the data set when it is known", () => {
  const h = encode({ selection: Int32Array.from([1, 2, 99]), focus: 99, color: "label", search: { query: "a", column: "word" } });
  const ok = decode(h, { n: 100, columns: ["label", "word"] });
  assert.deepEqual(Array.from(ok.selection!), [1, 2, 99]);
  assert.equal(ok.focus, 99);
  const small = decode(h, { n: 99, columns: ["other"] });
  assert.equal(small.selection, undefined, "an index beyond the data drops the selection");
  assert.equal(small.focus, undefined);
  assert.equal(small.color, undefined);
  assert.deepEqual(small.search, { query: "a" }, "an unknown search column is dropped, the query kept");
});
