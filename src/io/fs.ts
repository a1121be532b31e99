// Every file read and write of latentkit in Node goes through here: system errors (EISDIR, ENOENT, EACCES, ENOSPC,
// EROFS, ...) become one-line LatentkitErrors naming the path and the reason, and outputs are written to a temporary
// file beside the target and renamed into place, so that a failed or interrupted run leaves neither a half-written
// file nor a temporary one.
import {
  chmodSync, closeSync, createReadStream, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync,
  rmdirSync, statSync, unlinkSync, writeSync, type Stats,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { LatentkitError } from "../core/errors.js";

const REASONS: Record<string, string> = {
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  EIO: "input/output error",
  EFBIG: "the file is too large",
  EBUSY: "the file is busy",
  ETXTBSY: "the file is busy",
  EINVAL: "not possible on this kind of file",
  ENXIO: "no such device",
  ENODEV: "no such device",
};

function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
}

/** Whether e is a Node system error (an errno exception from node:fs or a stream). */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === "string" && codeOf(e) !== undefined;
}

/** The reason for a system error in words: "it is a directory", "no such file", ... */
export function systemErrorReason(e: unknown, op: "read" | "write" = "read"): string {
  const code = codeOf(e);
  if (code === "ENOENT") return op === "read" ? "no such file" : "no such directory (or files cannot be created there)";
  if (code && REASONS[code]) return REASONS[code]!;
  const msg = e instanceof Error ? e.message.replace(/^[A-Z]+: /, "").replace(/, \w+( '.*')?$/, "") : String(e);
  return code ? `${msg} (${code})` : msg;
}

/** A path as it reads in a one-line message: quoted as JSON when it holds a line break or another control character. */
export function shownPath(path: string): string {
  return /[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path;
}

/** The LatentkitError for a failed read or write of `path`: "cannot write out/z.tsv: it is a directory". */
export function fileError(op: "read" | "write", path: string, e: unknown): LatentkitError {
  if (e instanceof LatentkitError) return e;
  return new LatentkitError(`cannot ${op} ${shownPath(path)}: ${systemErrorReason(e, op)}`);
}

/** Reads a whole file (a directory, a missing file, ... fail with one line naming the path). */
export function readFileBytes(path: string): Buffer {
  if (path === "") throw new LatentkitError("cannot read a file with an empty name");
  try {
    return readFileSync(path);
  } catch (e) {
    throw fileError("read", path, e);
  }
}

/** Opens a file for reading and fails clearly when it is missing, a directory or unreadable; returns the fd. */
export function openForReading(path: string): number {
  if (path === "") throw new LatentkitError("cannot read a file with an empty name");
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw fileError("read", path, e);
  }
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    throw fileError("read", path, e);
  }
  if (st.isDirectory()) {
    closeSync(fd);
    throw new LatentkitError(`cannot read ${shownPath(path)}: it is a directory`);
  }
  return fd;
}

/** The first `n` bytes of a file (fewer when it is shorter). */
export function readHead(path: string, n: number): Buffer {
  const fd = openForReading(path);
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, null);
    return buf.subarray(0, got);
  } catch (e) {
    throw fileError("read", path, e);
  } finally {
    closeSync(fd);
  }
}

/**
 * A stream of a file's bytes; its read errors (emitted as 'error' events) are system errors for the consumer to
 * pass to fileError (streamMaybeGzip in files.ts does).
 */
export function readStream(path: string): Readable {
  return createReadStream(path);
}

/** Whether two paths name the same existing file (after symbolic links). */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a), sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** File contents: text, bytes, or pieces written one after another (so large outputs need not be one buffer). */
export type FileData = string | Uint8Array | Iterable<string | Uint8Array>;

interface Entry {
  /** As the user gave it (for messages and the list of files written). */
  path: string;
  /** Where the file goes (symbolic links resolved). */
  target: string;
  /** The temporary file beside the target; undefined for devices and pipes, written in place. */
  temp?: string;
  /** Directories this batch created (outermost first), removed again when it is discarded. */
  createdDirs: string[];
  mode?: number;
  /** The target did not exist before (so a rolled-back commit removes it). */
  isNew: boolean;
  written: boolean;
  /** When it was first written (commit puts files in place, and lists them, in this order). */
  order: number;
  committed: boolean;
}

const live = new Set<OutputFiles>();
let exitHookInstalled = false;
let tempCounter = 0;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // process.exit (Ctrl-C in the CLI, an error) runs 'exit' listeners synchronously: remove what was not committed
  process.on("exit", () => {
    for (const batch of [...live]) batch.discard();
  });
}

/** mkdir -p that stops at the first existing ancestor (Node's recursive mkdir spins forever under /proc). */
function makeDirs(dir: string, path: string): string[] {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(d);
    } catch (e) {
      const code = codeOf(e);
      if (code !== "ENOENT") {
        if (code === "ENOTDIR") throw new LatentkitError(`cannot write ${shownPath(path)}: a part of the path is a file, not a directory`);
        throw fileError("write", path, e);
      }
    }
    if (st) {
      if (!st.isDirectory()) throw new LatentkitError(`cannot write ${shownPath(path)}: ${d} is a file, not a directory`);
      break;
    }
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  const created: string[] = [];
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
      created.push(m);
    } catch (e) {
      removeDirs(created);
      throw fileError("write", path, e);
    }
  }
  return created;
}

function removeDirs(dirs: string[]): void {
  for (const d of [...dirs].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // not empty or gone: leave it
    }
  }
}

function unlinkQuietly(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // already gone
  }
}

function writeData(fd: number, data: FileData): void {
  if (typeof data === "string" || data instanceof Uint8Array) {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    return;
  }
  for (const piece of data) writeData(fd, piece);
}

/**
 * A set of output files written together: `plan` checks each path before any work (it is not a directory, its
 * directory can be created and written: a temporary file is made there), `write` fills the temporary files, and
 * `commit` renames them all into place at the end. Until then the targets are untouched; `discard` (or the process
 * exiting, Ctrl-C included) removes the temporary files and the directories made for them.
 */
export class OutputFiles {
  private readonly entries = new Map<string, Entry>();
  private writes = 0;

  /** Checks that `path` can be written and reserves its temporary file; fails with one line naming the path. */
  plan(path: string): void {
    if (this.entries.has(resolve(path))) return;
    if (path === "") throw new LatentkitError("cannot write a file with an empty name");
    if (/[/\\]$/.test(path) || basename(path) === "." || basename(path) === "..") {
      throw new LatentkitError(`cannot write ${shownPath(path)}: it is a directory`);
    }
    let target = resolve(path);
    let st: Stats | undefined;
    try {
      st = statSync(target);
    } catch (e) {
      const code = codeOf(e);
      if (code === "ENOTDIR") throw new LatentkitError(`cannot write ${shownPath(path)}: a part of the path is a file, not a directory`);
      if (code === "ELOOP" || (code === "ENOENT" && lstatExists(target))) throw new LatentkitError(`cannot write ${shownPath(path)}: it is a broken symbolic link`);
      if (code !== "ENOENT") throw fileError("write", path, e);
    }
    const entry: Entry = { path, target, createdDirs: [], isNew: st === undefined, written: false, order: 0, committed: false };
    if (st) {
      if (st.isDirectory()) throw new LatentkitError(`cannot write ${shownPath(path)}: it is a directory`);
      if (!st.isFile()) {
        // a device or a pipe (/dev/null, /dev/stdout): written in place, it cannot be replaced
        this.entries.set(resolve(path), entry);
        this.register();
        return;
      }
      target = realpathSync(target);
      entry.target = target;
      entry.mode = st.mode & 0o7777;
    }
    entry.createdDirs = makeDirs(dirname(target), path);
    const temp = join(dirname(target), `.${basename(target).slice(0, 80)}.${process.pid}-${++tempCounter}.tmp`);
    try {
      closeSync(openSync(temp, "wx", 0o666));
    } catch (e) {
      removeDirs(entry.createdDirs);
      throw fileError("write", path, e);
    }
    entry.temp = temp;
    this.entries.set(resolve(path), entry);
    this.register();
  }

  /** Writes an output (planning it first if needed); it appears at `path` on commit. */
  write(path: string, data: FileData): void {
    this.plan(path);
    const entry = this.entries.get(resolve(path));
    if (!entry) throw new LatentkitError(`cannot write ${shownPath(path)}: not planned`);
    const dest = entry.temp ?? entry.target;
    let fd: number;
    try {
      fd = openSync(dest, "w");
    } catch (e) {
      throw fileError("write", path, e);
    }
    try {
      writeData(fd, data);
    } catch (e) {
      throw fileError("write", path, e);
    } finally {
      closeSync(fd);
    }
    if (entry.temp && entry.mode !== undefined) {
      try {
        chmodSync(entry.temp, entry.mode);
      } catch {
        // keep the default mode
      }
    }
    if (!entry.written) entry.order = ++this.writes;
    entry.written = true;
  }

  /** The paths planned so far, as given. */
  get paths(): string[] {
    return [...this.entries.values()].map((e) => e.path);
  }

  /**
   * Renames every written file into place and returns their paths (planned files never written are dropped). If a
   * rename fails, the files this batch already put in place are removed again and the error names the path.
   */
  commit(): string[] {
    const done: Entry[] = [];
    try {
      for (const entry of [...this.entries.values()].sort((a, b) => a.order - b.order)) {
        if (!entry.written) continue;
        if (entry.temp) {
          try {
            renameSync(entry.temp, entry.target);
          } catch (e) {
            throw fileError("write", entry.path, e);
          }
          entry.temp = undefined;
        }
        entry.committed = true;
        done.push(entry);
      }
    } catch (e) {
      for (const d of done) {
        if (d.isNew) unlinkQuietly(d.target);
        d.committed = false;
      }
      this.discard();
      throw e;
    }
    live.delete(this);
    const written = done.map((d) => d.path);
    // planned but never written: remove their temporary files and directories
    this.discard();
    return written;
  }

  /** Removes every uncommitted temporary file and the directories made for them. */
  discard(): void {
    const entries = [...this.entries.values()];
    for (const entry of entries) {
      if (entry.temp) unlinkQuietly(entry.temp);
      entry.temp = undefined;
    }
    // directories last, newest first (a later entry may have put its temporary file in an earlier one's directory)
    for (const entry of entries.reverse()) if (!entry.committed) removeDirs(entry.createdDirs);
    this.entries.clear();
    live.delete(this);
  }

  private register(): void {
    live.add(this);
    installExitHook();
  }
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fill` on a batch and commits it: with `outputs` given, the files are only staged in that batch (they appear
 * when its owner commits); without, they are written now, all or none.
 */
export function writeOutputs(outputs: OutputFiles | undefined, fill: (out: OutputFiles) => void): void {
  if (outputs) {
    fill(outputs);
    return;
  }
  const out = new OutputFiles();
  try {
    fill(out);
    out.commit();
  } catch (e) {
    out.discard();
    throw e;
  }
}

/** Writes one file atomically (a temporary file beside it, renamed into place). */
export function writeFileAtomic(path: string, data: FileData): void {
  writeOutputs(undefined, (out) => out.write(path, data));
}
