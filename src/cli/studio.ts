// `latentkit studio [paths...]`: serves the studio's static build (dist/studio/) and the given data files on
// 127.0.0.1, cross-origin isolated (COOP/COEP) so that the page's compute core gets its helper thread. Only the given
// files (and the data files directly inside a given folder) are served, each under a URL listed by GET /api/files;
// every other path is 404: URLs are looked up in a table made at start, never mapped onto the file system.
import { Command } from "commander";
import { createReadStream, existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fail } from "../core/errors.js";
import { isDataFileName } from "../studio/data/load.js";
import { parseIntOption } from "./common.js";

export interface StudioServerOptions {
  /** Data files, and folders whose data files (directly inside, known extensions) are served. */
  paths?: string[];
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The static build to serve (default: dist/studio/ of this installation). */
  staticDir?: string;
}

export interface StudioFile {
  name: string;
  size: number;
  url: string;
  /** Absolute path (not sent to the page). */
  path: string;
}

export interface StudioServer {
  /** "http://127.0.0.1:8080/" */
  url: string;
  port: number;
  files: StudioFile[];
  close(): Promise<void>;
}

/** dist/studio/ beside this file's build (dist/src/cli/studio.js). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL("../../studio/", import.meta.url));

const KNOWN = ".tsv, .tab, .csv, .npy, .txt, .vec, .w2v, .bin, IDX (*-ubyte, .idx), each optionally .gz";

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8", json: "application/json", map: "application/json", wasm: "application/wasm",
  png: "image/png", svg: "image/svg+xml", ico: "image/x-icon", txt: "text/plain; charset=utf-8", webp: "image/webp",
};

/** The data files named by the paths (folders: their data files, non-recursive), checked before listening. */
export function resolveStudioFiles(paths: string[]): Omit<StudioFile, "url">[] {
  const out: Omit<StudioFile, "url">[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    const real = realpathSync(path);
    if (seen.has(real)) return;
    seen.add(real);
    out.push({ name: basename(path), size: statSync(real).size, path: real });
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      fail(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      const names = readdirSync(p, { withFileTypes: true })
        .filter((e) => !e.name.startsWith(".") && isDataFileName(e.name) && (e.isFile() || (e.isSymbolicLink() && statSync(join(p, e.name), { throwIfNoEntry: false })?.isFile())))
        .map((e) => e.name).sort();
      if (names.length === 0) fail(`${p}: the folder has no data files directly inside (the studio reads ${KNOWN})`);
      for (const n of names) add(join(p, n));
    } else if (st.isFile()) {
      if (!isDataFileName(basename(p))) fail(`${p}: not a data file the studio reads (expected ${KNOWN})`);
      add(p);
    } else fail(`${p}: not a regular file or folder`);
  }
  return out;
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

/** Starts the studio server; rejects (LatentkitError) on a missing file or build, or a port in use. */
export async function startStudioServer(opts: StudioServerOptions = {}): Promise<StudioServer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer in [0, 65535], got ${port}`);
  const files: StudioFile[] = resolveStudioFiles(opts.paths ?? []).map((f, i) => ({ ...f, url: `/files/${i}/${encodeURIComponent(f.name)}` }));
  const staticDir = resolve(opts.staticDir ?? DEFAULT_STATIC_DIR);
  if (!existsSync(join(staticDir, "index.html"))) {
    fail(`the studio's static build is missing (no ${join(staticDir, "index.html")}): run npm run build:studio`);
  }
  const byUrl = new Map(files.map((f) => [f.url, f]));
  const list = JSON.stringify(files.map(({ name, size, url }) => ({ name, size, url })));

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const headers: Record<string, string> = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-cache",
    };
    const send = (status: number, body: string, type = "text/plain; charset=utf-8"): void => {
      res.writeHead(status, { ...headers, "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    // a page of another site reaching 127.0.0.1 through its own DNS name (DNS rebinding) gets nothing
    if (LOOPBACK.test(host)) {
      const h = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (!LOOPBACK.test(h)) return send(403, "forbidden: unexpected Host header\n");
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return send(405, "method not allowed\n");
    }
    const raw = (req.url ?? "/").split("?")[0]!;
    if (raw === "/api/files") return send(200, list, "application/json");
    const file = byUrl.get(raw);
    if (file) return stream(file.path, "application/octet-stream");
    // the static build: names directly inside staticDir, no dot files, no folders
    const m = /^\/([A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)?$/.exec(raw);
    if (m) {
      const name = m[1] ?? "index.html";
      const path = join(staticDir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (st?.isFile()) return stream(path, CONTENT_TYPES[/\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? ""] ?? "application/octet-stream");
    }
    return send(404, "not found\n");

    function stream(path: string, type: string): void {
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        return send(404, "not found\n");
      }
      res.writeHead(200, { ...headers, "Content-Type": type, "Content-Length": size });
      if (req.method === "HEAD") {
        res.end();
        return;
      }
      const s = createReadStream(path);
      s.on("error", () => res.destroy());
      s.pipe(res);
    }
  };

  const server: Server = createServer(handle);
  await new Promise<void>((ok, no) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.close();
      no(e);
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      ok();
    });
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "EADDRINUSE") fail(`port ${port} on ${host} is in use: choose another with --port (--port 0 picks a free one)`);
    if (e.code === "EACCES") fail(`no permission to listen on port ${port} on ${host}: choose a port above 1023 with --port`);
    if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") fail(`cannot listen on ${host}: not an address of this machine (--host)`);
    fail(`cannot listen on ${host}:${port}: ${e.message}`);
  });
  const addr = server.address();
  const actualPort = addr && typeof addr === "object" ? addr.port : port;
  const url = `http://${hostForUrl(host)}:${actualPort}/`;
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return {
    url, port: actualPort, files,
    close: () => new Promise<void>((ok) => {
      server.close(() => ok());
      for (const s of sockets) s.destroy();
    }),
  };
}

/** `latentkit studio`; for tests, `onServer` receives the running server and `staticDir` replaces dist/studio/. */
export function studioCommand(testing: { onServer?: (s: StudioServer) => void; staticDir?: string } = {}): Command {
  const cmd = new Command("studio")
    .description("serve the studio (an embedding projector in the browser) with these data files on 127.0.0.1")
    .argument("[paths...]", `data files, or folders of data files (${KNOWN}); none: drop files in the page`)
    .option("--port <n>", "port (0: a free one)", parseIntOption("--port"), 8080)
    .option("--host <address>", "address to listen on (default 127.0.0.1; another one exposes the files to the network)", "127.0.0.1");
  cmd.action(async (paths: string[], o: { port: number; host: string }) => {
    if (o.port > 65535) fail(`--port must be at most 65535, got ${o.port}`);
    const s = await startStudioServer({ paths, port: o.port, host: o.host, ...(testing.staticDir ? { staticDir: testing.staticDir } : {}) });
    const n = s.files.length;
    process.stdout.write(`latentkit studio: ${s.url} (${n} file${n === 1 ? "" : "s"})\n`);
    if (!LOOPBACK.test(o.host)) process.stderr.write(`latentkit studio: listening on ${o.host}: the files are readable by anyone who can reach this address\n`);
    testing.onServer?.(s);
    // Ctrl-C: the command line's SIGINT handler ends the process, which closes the server
  });
  return cmd;
}
