import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { LatentkitError } from "../../src/core/errors.js";
import * as models from "../../src/cli/models.js";
import { MISSING } from "../../src/cli/models.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

test("src/cli/models.ts: no stand-in remains for a module that is in this build (replace it by its export line)", async () => {
  for (const [name, source] of MISSING) {
    const file = source.replace(/ \(.*\)$/, "");
    if (!existsSync(root + file)) continue;
    const mod = (await import(new URL(`../../${file.replace(/\.ts$/, ".js")}`, import.meta.url).href)) as Record<string, unknown>;
    assert.ok(!(name in mod), `${file} exports ${name} now: export it from src/cli/models.ts instead of its stand-in, and drop it from MISSING`);
  }
});

test("a stand-in fails with one line naming the missing module", () => {
  for (const name of MISSING.keys()) {
    const standIn = (models as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
    assert.throws(() => standIn(), (e: unknown) => e instanceof LatentkitError && e.message === `${name} is not in this build (${MISSING.get(name)} is not merged yet)`);
  }
  if (MISSING.has("VAE")) {
    const VAE = models.VAE as new () => unknown;
    assert.throws(() => new VAE(), (e: unknown) => e instanceof LatentkitError && /^VAE is not in this build/.test(e.message));
  }
});
