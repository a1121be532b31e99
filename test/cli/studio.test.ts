// `latentkit studio`: the server lists and serves exactly the given files (bytes equal to the files), with the
// cross-origin isolation headers and content types; every other path is 404 (path traversal in all its spellings);
// a missing file or static build and a port in use are one clear error before anything is served.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startStudioServer, studioCommand, type StudioServer } from "../../src/cli/studio.js";
import { CLI_MAIN, PROJECT_DATA, runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "latentkit-studio-"));
const staticDir = join(dir, "static");
mkdirSync(staticDir);
writeFileSync(join(staticDir, "index.html"), "<!doctype html><title>studio</title>");
writeFileSync(join(staticDir, "studio.js"), "export {};");
writeFileSync(join(staticDir, "studio.css"), "body{}");
writeFileSync(join(staticDir, ".secret"), "hidden");
const data = join(dir, "data");
mkdirSync(join(data, "sub"), { recursive: true });
writeFileSync(join(data, "vectors.tsv"), "1\t2\n3\t4\n");
writeFileSync(join(data, "metadata.tsv"), "a\nb\n");
writeFileSync(join(data, "notes.md"), "not data");
writeFileSync(join(data, "sub", "deep.tsv"), "5\t6\n");
writeFileSync(join(dir, "secret.csv"), "secret,1\n");
const digits = join(PROJECT_DATA, "digits.csv.gz");
const packageJson = readFileSync(join(PROJECT_DATA, "..", "package.json"), "utf8");

/** A raw GET (the path sent exactly as written: fetch would normalise dot segments). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = "GET"):
  Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((ok, no) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on("error", no);
    req.end();
  });
}

test("lists the given files and the data files directly inside a given folder; serves their bytes with COOP/COEP", async () => {
  const s = await startStudioServer({ paths: [digits, data, digits], port: 0, staticDir });
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(s.port, 0);
    const list = await get(s.port, "/api/files");
    assert.equal(list.status, 200);
    assert.equal(list.headers["content-type"], "application/json");
    const files = JSON.parse(list.body.toString()) as { name: string; size: number; url: string }[];
    assert.deepEqual(files.map((f) => f.name), ["digits.csv.gz", "metadata.tsv", "vectors.tsv"], "deduplicated, non-recursive, data files only");
    for (const f of files) assert.deepEqual(Object.keys(f), ["name", "size", "url"], "no paths sent");
    const paths = [digits, join(data, "metadata.tsv"), join(data, "vectors.tsv")];
    for (let i = 0; i < files.length; i++) {
      const r = await get(s.port, files[i]!.url);
      assert.equal(r.status, 200);
      const bytes = readFileSync(paths[i]!);
      assert.ok(r.body.equals(bytes), files[i]!.name);
      assert.equal(files[i]!.size, bytes.length);
      assert.equal(r.headers["content-type"], "application/octet-stream");
      assert.equal(r.headers["content-encoding"], undefined, "gzip files are sent as they are");
      assert.equal(r.headers["cross-origin-opener-policy"], "same-origin");
      assert.equal(r.headers["cross-origin-embedder-policy"], "require-corp");
    }
    const page = await get(s.port, "/");
    assert.equal(page.status, 200);
    assert.equal(page.body.toString(), "<!doctype html><title>studio</title>");
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(page.headers["cross-origin-opener-policy"], "same-origin");
    assert.equal(page.headers["cross-origin-embedder-policy"], "require-corp");
    assert.equal((await get(s.port, "/index.html")).status, 200);
    assert.equal((await get(s.port, "/studio.js")).headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal((await get(s.port, "/studio.css")).headers["content-type"], "text/css; charset=utf-8");
    const head = await get(s.port, files[0]!.url, {}, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers["content-length"]), files[0]!.size);
    assert.equal(head.body.length, 0);
    assert.equal((await get(s.port, "/api/files", {}, "POST")).status, 405);
  } finally {
    await s.close();
  }
});

test("any other path is 404: other files, the folder's other files, traversal in every spelling; a foreign Host is 403", async () => {
  const s: StudioServer = await startStudioServer({ paths: [data], port: 0, staticDir });
  try {
    const url = s.files[0]!.url;
    const paths = [
      "/package.json", "/files/../package.json", "/files/%2e%2e/package.json", "/files/%2E%2E/%2e%2e/package.json",
      "/%2e%2e/%2e%2e/package.json", "/..%2fpackage.json", "/files/0/..%2f..%2fsecret.csv", "/files/0/../../secret.csv",
      "/..\\package.json", "/%5c..%5cpackage.json", "//etc/passwd", "/files/0/notes.md", "/files/9/vectors.tsv",
      "/files/0/vectors.tsv/", url + "/..", url + "%00", "/notes.md", "/sub/deep.tsv", "/files/", "/files",
      "/.secret", "/static/index.html", "/api/files/../../package.json", "/api", "/index.html/..", "/%69ndex.html/../..",
      "/files/0/metadata.tsv%2f..%2f..%2fsecret.csv", "http://127.0.0.1/package.json", "*",
    ];
    for (const p of paths) {
      const r = await get(s.port, p);
      assert.equal(r.status, 404, `${p}: ${r.status}`);
      assert.ok(!r.body.toString().includes("latentkit") && !r.body.toString().includes("secret"), p);
      assert.equal(r.headers["cross-origin-embedder-policy"], "require-corp");
    }
    assert.notEqual(packageJson.length, 0);
    const rebound = await get(s.port, url, { Host: "evil.example:80" });
    assert.equal(rebound.status, 403);
    assert.equal((await get(s.port, url, { Host: `localhost:${s.port}` })).status, 200);
  } finally {
    await s.close();
  }
});

test("errors before listening: a missing file, a non-data file, an empty folder, no static build; a port in use", async () => {
  const fails = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
    await assert.rejects(p, (e: Error) => e.name === "LatentkitError" && re.test(e.message) && !e.message.includes("\n"));
  };
  await fails(startStudioServer({ paths: [join(dir, "nope.csv")], port: 0, staticDir }), /nope\.csv: no such file or folder/);
  await fails(startStudioServer({ paths: [join(data, "notes.md")], port: 0, staticDir }), /notes\.md: not a data file the studio reads/);
  await fails(startStudioServer({ paths: [staticDir], port: 0, staticDir }), /static: the folder has no data files directly inside/);
  await fails(startStudioServer({ paths: [digits], port: 0, staticDir: join(dir, "none") }), /the studio's static build is missing \(no .*index\.html\): run npm run build:studio/);
  const s = await startStudioServer({ paths: [], port: 0, staticDir });
  try {
    await fails(startStudioServer({ paths: [], port: s.port, staticDir }), new RegExp(`port ${s.port} on 127\\.0\\.0\\.1 is in use: choose another with --port`));
    assert.equal((await get(s.port, "/api/files")).body.toString(), "[]");
  } finally {
    await s.close();
  }
});

test("the command: prints the URL with the real port and the file count", async () => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  let server: StudioServer | undefined;
  // (the test runner writes its own reports to stdout too: those pass through)
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) =>
    typeof s === "string" && s.startsWith("latentkit") ? (out.push(s), true) : write(s, ...rest)) as typeof process.stdout.write;
  try {
    await studioCommand({ onServer: (s) => (server = s), staticDir }).exitOverride().parseAsync([digits, data, "--port", "0"], { from: "user" });
  } finally {
    process.stdout.write = write;
  }
  try {
    assert.equal(out.join(""), `latentkit studio: ${server!.url} (3 files)\n`);
    assert.doesNotMatch(server!.url, /:0\//);
    assert.equal((await get(server!.port, "/")).status, 200);
  } finally {
    await server!.close();
  }
  await assert.rejects(studioCommand({ staticDir }).exitOverride().parseAsync(["--port", "70000"], { from: "user" }), /--port must be at most 65535/);
});

// the command line itself, once main.ts registers the command (the lead's line): exit 2 and one line on errors,
// the URL on stdout, Ctrl-C ends it
const registered = /\bstudio\b/.test(runCli("--help").stdout);
test("latentkit studio on the command line: a missing file and a port in use exit 2 with one line; SIGINT ends it",
  { skip: registered ? false : "latentkit studio is not registered in main.ts yet" }, async () => {
  const missing = runCli("studio", join(dir, "nope.csv"), "--port", "0");
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^latentkit: .*nope\.csv: no such file or folder\n$/);
  const s = await startStudioServer({ paths: [], port: 0, staticDir });
  try {
    const busy = runCli("studio", digits, "--port", String(s.port));
    // either the build is missing (one line) or the port is in use (one line): both exit 2
    assert.equal(busy.status, 2);
    assert.match(busy.stderr, /^latentkit: (port \d+ on 127\.0\.0\.1 is in use|the studio's static build is missing).*\n$/);
  } finally {
    await s.close();
  }
  const child = spawn(process.execPath, [CLI_MAIN, "studio", digits, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  const code = await new Promise<number | null>((ok) => {
    const t = setInterval(() => {
      if (stdout.includes("\n") || stderr.includes("\n")) {
        clearInterval(t);
        child.kill("SIGINT");
      }
    }, 50);
    child.on("exit", (c) => (clearInterval(t), ok(c)));
  });
  if (/static build is missing/.test(stderr)) return;
  assert.match(stdout, /^latentkit studio: http:\/\/127\.0\.0\.1:\d+\/ \(1 file\)\n$/);
  assert.notEqual(code, null);
});
