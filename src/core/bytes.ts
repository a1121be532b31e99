// Byte arrays without Node's Buffer, so the same code runs in a browser.

/** Concatenates byte arrays (`total`: their summed length). */
export function concatBytes(parts: readonly Uint8Array[], total = parts.reduce((s, p) => s + p.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Base64 of bytes (btoa exists in browsers and in Node >= 16). */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
