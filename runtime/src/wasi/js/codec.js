// UTF-8 without TextEncoder/TextDecoder, which a bare V8 context does not have.
'use strict';
/* exported utf8 */
const utf8 = (() => {
  function encode(text) {
    const out = [];
    for (const ch of String(text)) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return Uint8Array.from(out);
  }

  // Bytes `text` takes in UTF-8, without encoding it.
  function byteLength(text) {
    let n = 0;
    for (const ch of String(text)) {
      const c = ch.codePointAt(0);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    return n;
  }

  // Whether `b` is well-formed UTF-8 (what a WASI path must be: wasmtime-wasi answers
  // EILSEQ otherwise).
  function valid(b) {
    for (let i = 0; i < b.length;) {
      const c = b[i];
      let n;
      if (c < 0x80) n = 1;
      else if (c >= 0xc2 && c < 0xe0) n = 2;
      else if (c >= 0xe0 && c < 0xf0) n = 3;
      else if (c >= 0xf0 && c < 0xf5) n = 4;
      else return false;
      if (i + n > b.length) return false;
      for (let j = 1; j < n; j++) if ((b[i + j] & 0xc0) !== 0x80) return false;
      if (n === 3) {
        const cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6);
        if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) return false;
      } else if (n === 4) {
        const cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12);
        if (cp < 0x10000 || cp > 0x10ffff) return false;
      }
      i += n;
    }
    return true;
  }

  // Invalid sequences become U+FFFD (callers that must refuse them check `valid` first).
  function decode(b) {
    let s = '';
    for (let i = 0; i < b.length;) {
      const c = b[i];
      let cp = 0xfffd;
      let n = 1;
      if (c < 0x80) cp = c;
      else if (c >= 0xc2 && c < 0xe0 && i + 1 < b.length) {
        cp = ((c & 31) << 6) | (b[i + 1] & 63);
        n = 2;
      } else if (c >= 0xe0 && c < 0xf0 && i + 2 < b.length) {
        cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63);
        n = 3;
      } else if (c >= 0xf0 && c < 0xf5 && i + 3 < b.length) {
        cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63);
        n = 4;
      }
      s += String.fromCodePoint(cp > 0x10ffff ? 0xfffd : cp);
      i += n;
    }
    return s;
  }

  return Object.freeze({ encode, decode, byteLength, valid });
})();
