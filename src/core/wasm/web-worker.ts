// A compute-core helper thread in a browser: a module Web Worker that gets the module and the shared memory in its
// first message (which needs a cross-origin isolated page), answers {ready: true} once it takes parts of jobs, or
// {error} when it cannot start. A bundle must ship this file as its own entry, beside the main bundle (runtime.ts
// finds it at new URL("./web-worker.js", import.meta.url)), or name it with initCore({workerUrl}).
import { serveJobs, type HelperData } from "./helper.js";

const scope = globalThis as unknown as { onmessage: ((e: { data: unknown }) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e) => {
  scope.onmessage = null;
  try {
    serveJobs(e.data as HelperData, () => scope.postMessage({ ready: true }));
  } catch (err) {
    scope.postMessage({ error: String(err) });
  }
};
