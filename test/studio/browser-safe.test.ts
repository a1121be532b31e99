// The studio's data modules (loader, export, URL state) are browser code: bundled for the browser as the static
// build bundles them, no Node import is reachable from them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleForBrowser, nodeImports, ROOT } from "../browser/bundle.js";

test("src/studio/data/* bundles for the browser with no node: import", async () => {
  const b = await bundleForBrowser({
    load: `${ROOT}dist/src/studio/data/load.js`,
    export: `${ROOT}dist/src/studio/data/export.js`,
    state: `${ROOT}dist/src/studio/data/state.js`,
  });
  assert.deepEqual(nodeImports(b.metafile), []);
  assert.ok(b.files.get("load.js")!.includes("DecompressionStream"));
  // the server is Node code: bundling it for the browser is refused (so the check above can fail)
  await assert.rejects(bundleForBrowser({ server: `${ROOT}dist/src/cli/studio.js` }), /node:/);
});
