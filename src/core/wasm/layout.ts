// Where a WebAssembly module puts its static data, read from the binary, and the check that it stays clear of the
// runtime's control block and heap. scripts/build-wasm.mjs runs it on every build (and fails the build); the tests
// run it on crafted modules. Self-contained (no imports) so that the build script can load it before tsc has run.

/** One data segment of a module: where it is copied in memory (null for a passive segment) and its size. */
export interface DataSegment {
  offset: number | null;
  bytes: number;
}

/** What a module's binary says about its use of the memory. */
export interface ModuleLayout {
  segments: DataSegment[];
  /** Values of exported i32 globals named __data_end / __heap_base, where the module has them. */
  dataEnd: number | null;
  heapBase: number | null;
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new Error("truncated WebAssembly binary");
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      result += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) return result;
      shift += 7;
    }
  }
  s32(): number {
    let result = 0;
    let shift = 0;
    let x: number;
    do {
      x = this.byte();
      result |= (x & 0x7f) << shift;
      shift += 7;
    } while (x & 0x80);
    if (shift < 32 && x & 0x40) result |= -1 << shift;
    return result;
  }
  name(): string {
    const n = this.u32();
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.byte());
    return s;
  }
  skip(n: number): void {
    this.pos += n;
  }
  /** A constant expression: its i32 value, or null when it is not a plain i32.const. */
  constExpr(): number | null {
    const op = this.byte();
    let v: number | null = null;
    if (op === 0x41) v = this.s32();
    else if (op === 0x23 || op === 0x42) this.s32(); // global.get (not a constant we can place), i64.const
    else if (op === 0x43) this.skip(4);
    else if (op === 0x44) this.skip(8);
    else if (op === 0xfd) {
      this.u32();
      this.skip(16);
    } else if (op === 0xd0) this.byte(); // ref.null
    else if (op === 0xd2) this.u32(); // ref.func
    else throw new Error(`unexpected opcode 0x${op.toString(16)} in a constant expression`);
    if (this.byte() !== 0x0b) throw new Error("constant expression longer than one instruction");
    return v;
  }
}

function limits(r: Reader): void {
  const flags = r.u32();
  r.u32();
  if (flags & 1) r.u32();
}

/** Reads the data segments and the __data_end/__heap_base globals of a WebAssembly binary. */
export function moduleLayout(binary: Uint8Array): ModuleLayout {
  const r = new Reader(binary);
  if (binary.length < 8 || binary[0] !== 0 || binary[1] !== 0x61 || binary[2] !== 0x73 || binary[3] !== 0x6d) {
    throw new Error("not a WebAssembly binary");
  }
  r.pos = 8;
  const segments: DataSegment[] = [];
  let importedGlobals = 0;
  const globals: Array<number | null> = [];
  const exportedGlobals = new Map<string, number>();
  while (r.pos < binary.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) r.u32();
        else if (kind === 1) {
          r.byte();
          limits(r);
        } else if (kind === 2) limits(r);
        else if (kind === 3) {
          r.byte();
          r.byte();
          importedGlobals++;
        } else r.u32(); // tag
      }
    } else if (id === 6) {
      for (let n = r.u32(); n > 0; n--) {
        const type = r.byte();
        r.byte();
        const v = r.constExpr();
        globals.push(type === 0x7f ? v : null);
      }
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        if (kind === 3) exportedGlobals.set(name, index);
      }
    } else if (id === 11) {
      for (let n = r.u32(); n > 0; n--) {
        const flags = r.u32();
        let offset: number | null = null;
        if (flags === 0 || flags === 2) {
          if (flags === 2) r.u32();
          offset = r.constExpr();
          if (offset === null) throw new Error("a data segment's offset is not a constant");
        }
        const bytes = r.u32();
        r.skip(bytes);
        segments.push({ offset, bytes });
      }
    }
    r.pos = end;
  }
  const global = (name: string): number | null => {
    const i = exportedGlobals.get(name);
    return i === undefined || i < importedGlobals ? null : globals[i - importedGlobals] ?? null;
  };
  return { segments, dataEnd: global("__data_end"), heapBase: global("__heap_base") };
}

/**
 * Problems with a module's memory layout for a runtime whose control block ends at `dataBase` and whose allocator
 * starts at `heapBase`: every active data segment (and __data_end/__heap_base, where exported) must lie in
 * [dataBase, heapBase). Empty when the layout is sound.
 */
export function layoutProblems(layout: ModuleLayout, dataBase: number, heapBase: number): string[] {
  const problems: string[] = [];
  for (const s of layout.segments) {
    if (s.offset === null) continue;
    if (s.offset < dataBase) problems.push(`a data segment starts at ${s.offset}, inside the control block (below ${dataBase})`);
    if (s.offset + s.bytes > heapBase) {
      problems.push(`a data segment [${s.offset}, ${s.offset + s.bytes}) reaches into the allocator's heap (from ${heapBase})`);
    }
  }
  for (const [name, v] of [["__data_end", layout.dataEnd], ["__heap_base", layout.heapBase]] as const) {
    if (v !== null && v > heapBase) problems.push(`${name} is ${v}, past the allocator's heap base ${heapBase}`);
  }
  return problems;
}

/** End of the module's static data (dataBase when it has none). */
export function dataEnd(layout: ModuleLayout, dataBase: number): number {
  let end = dataBase;
  for (const s of layout.segments) if (s.offset !== null) end = Math.max(end, s.offset + s.bytes);
  return Math.max(end, layout.dataEnd ?? 0);
}
