// Pages for the browser tests: files served on 127.0.0.1 under /iso/ (cross-origin isolated by COOP/COEP, so the WASM
// core can share its memory with Web Workers) and /plain/ (not isolated), opened in Debian's headless Chromium.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** The skip option of a browser test: false where Chromium is installed, else the reason. */
export const SKIP_WITHOUT_CHROMIUM = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (CI installs it: apt-get install chromium)`;

async function serve(files: Map<string, string | Buffer>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/(iso|plain)\/([\w.-]+)$/.exec(url.pathname);
    const body = m ? files.get(m[2]!) : undefined;
    if (!m || body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const type = m[2]!.endsWith(".js") ? "text/javascript" : m[2]!.endsWith(".html") ? "text/html" : "text/plain";
    // cross-origin isolation: what lets the page share WebAssembly memory with its Web Workers
    const iso = m[1] === "iso" ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } : {};
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store", ...iso }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Serves `files`, opens `path` (e.g. "/iso/page.html") in headless Chromium, waits for the page's `ready` flag and
 * runs `run`; page errors reported before the flag are the failure's message.
 */
export async function withPage<T>(files: Map<string, string | Buffer>, path: string, run: (page: Page) => Promise<T>): Promise<T> {
  const { server, base } = await serve(files);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--enable-unsafe-swiftshader"] });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${base}${path}`);
    await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true, null, { timeout: 20000 }).catch(() => {
      throw new Error(`the page did not load the bundle: ${errors.join("; ") || "no error reported"}`);
    });
    return await run(page);
  } finally {
    await browser?.close();
    server.close();
  }
}
