// Remakes docs/images/studio-*.png: runs the studio's browser test with STUDIO_SCREENSHOTS=docs/images (build first).
import { spawnSync } from "node:child_process";
const r = spawnSync(process.execPath, ["--test", "dist/test/browser/studio.test.js"], { stdio: "inherit", env: { ...process.env, STUDIO_SCREENSHOTS: "docs/images" } });
process.exit(r.status ?? 1);
