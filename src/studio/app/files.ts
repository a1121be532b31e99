// Getting the data: from the server (`latentkit studio` lists its files at /api/files), else from files dropped on
// the page or picked; and saving exports as downloads.
import { byId } from "./dom.js";
import type { InputFile } from "./peers.js";

/** The files the server offers, or null when the page is not served by `latentkit studio` (the static build). */
export async function serverFiles(listUrl = "api/files"): Promise<{ name: string; url: string }[] | null> {
  let res: Response;
  try {
    res = await fetch(listUrl, { cache: "no-store" });
  } catch {
    return null;
  }
  if (!res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return null;
  const body = (await res.json()) as unknown;
  const list = Array.isArray(body) ? body : (body as { files?: unknown }).files;
  if (!Array.isArray(list)) return null;
  return list.map((f: { name?: string; url?: string; path?: string }, j) => {
    const name = f.name ?? f.path ?? `file${j}`;
    return { name, url: f.url ?? `api/file/${encodeURIComponent(name)}` };
  });
}

/** Fetches the server's files as bytes. */
export async function fetchFiles(files: { name: string; url: string }[]): Promise<InputFile[]> {
  return Promise.all(files.map(async (f) => {
    const res = await fetch(f.url);
    if (!res.ok) throw new Error(`cannot fetch ${f.name} from the server: HTTP ${res.status}`);
    return { name: f.name, bytes: new Uint8Array(await res.arrayBuffer()) };
  }));
}

async function readFiles(list: FileList | File[]): Promise<InputFile[]> {
  return Promise.all(Array.from(list, async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

/**
 * Shows the drop zone (and file picker) until files arrive; `open` loads them, and an error it throws is shown in the
 * zone (the zone stays for another try).
 */
export function askForFiles(open: (files: InputFile[]) => Promise<void>): void {
  const zone = byId("dropzone");
  const input = byId<HTMLInputElement>("file-input");
  const errorLine = byId("drop-error");
  zone.hidden = false;
  const take = async (list: FileList | File[] | null): Promise<void> => {
    if (!list || list.length === 0) return;
    errorLine.hidden = true;
    try {
      await open(await readFiles(list));
      zone.hidden = true;
    } catch (e) {
      errorLine.textContent = (e as Error).message;
      errorLine.hidden = false;
    }
  };
  input.onchange = () => void take(input.files).finally(() => { input.value = ""; });
  const stage = zone.parentElement ?? zone;
  stage.ondragover = (e) => { e.preventDefault(); zone.hidden = false; zone.classList.add("over"); };
  stage.ondragleave = () => zone.classList.remove("over");
  stage.ondrop = (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    void take(e.dataTransfer?.files ?? null);
  };
}

/** Saves bytes or text as a download. */
export function download(filename: string, body: string | Uint8Array, mime: string): void {
  const blob = new Blob([body as BlobPart], { type: mime });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
