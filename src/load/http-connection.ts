import { connect, type Socket } from "node:net";

// A lean HTTP/1.1 client connection for load generation: one request in flight, a request buffer
// built once, and just enough response parsing to find the status and the end of the body.
// autocannon parses every response with http-parser-js (JavaScript) and reschedules a timer per
// request; on a 2-CPU runner its CPU cost took throughput from the stack under test.

const CHUNKED_END = Buffer.from("0\r\n\r\n");

/** What a response head says, filled in place (one per connection: nothing is allocated per response). */
export class ResponseHead {
  status = 0;
  /** Where the body starts. */
  headerEnd = 0;
  /** -1: no Content-Length. */
  contentLength = -1;
  chunked = false;
  close = false;
}

const lower = (name: string) => Uint8Array.from(Buffer.from(name, "latin1"));
const CONTENT_LENGTH = lower("content-length");
const CONNECTION = lower("connection");
const TRANSFER_ENCODING = lower("transfer-encoding");

/** buf[at, at + name.length) is `name`, in any case (`| 0x20` lowers letters and keeps "-"). */
function nameIs(buf: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let k = 0; k < name.length; k++) if ((buf[at + k] | 0x20) !== name[k]) return false;
  return true;
}

/** The header value in buf[from, to) holds `word` (lower case, any case in buf). */
function valueHas(buf: Uint8Array, from: number, to: number, word: Uint8Array): boolean {
  for (let i = from; i + word.length <= to; i++) if (nameIs(buf, i, word)) return true;
  return false;
}
const CLOSE = lower("close");
const CHUNKED = lower("chunked");

/** Pure: one header line buf[start, end) with its colon at `colon`, laid into `h`. */
function header(buf: Uint8Array, start: number, colon: number, end: number, h: ResponseHead): void {
  const n = colon - start;
  if (n === 14 && nameIs(buf, start, CONTENT_LENGTH)) {
    let i = colon + 1;
    while (buf[i] === 32 || buf[i] === 9) i++;
    let v = 0;
    while (i < end && buf[i] >= 48 && buf[i] <= 57) v = v * 10 + (buf[i++] - 48);
    h.contentLength = v;
  } else if (n === 10 && nameIs(buf, start, CONNECTION)) {
    if (valueHas(buf, colon + 1, end, CLOSE)) h.close = true;
  } else if (n === 17 && nameIs(buf, start, TRANSFER_ENCODING)) {
    if (valueHas(buf, colon + 1, end, CHUNKED)) h.chunked = true;
  }
}

/** The first ":" in buf[from, to), or -1. */
function colonIn(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === 58) return i;
  return -1;
}

/**
 * Pure: reads a response head (status line and headers) from buf[0, len) into `h`; false until it is
 * complete. This runs for every response of the load: line ends are found with Buffer.indexOf (native),
 * and only the lines that may be Content-Length, Connection or Transfer-Encoding are read further;
 * no string and no object is made. Bytes past `len` (a shared read buffer's stale ones) are never taken.
 */
export function scanHead(buf: Buffer, len: number, h: ResponseHead): boolean {
  let eol = buf.indexOf(13);
  if (eol < 0 || eol + 1 >= len) return false;
  h.status = (buf[9] - 48) * 100 + (buf[10] - 48) * 10 + (buf[11] - 48);
  h.contentLength = -1;
  h.chunked = false;
  h.close = buf[7] === 48; // HTTP/1.0
  let i = eol + 2;
  for (;;) {
    if (i + 1 >= len) return false;
    if (buf[i] === 13) {
      h.headerEnd = i + 2;
      if (h.chunked) h.contentLength = -1;
      return true;
    }
    eol = buf.indexOf(13, i);
    if (eol < 0 || eol + 1 >= len) return false;
    const first = buf[i] | 0x20;
    if (first === 99 || first === 116) {
      const colon = colonIn(buf, i, eol);
      if (colon > i) header(buf, i, colon, eol, h);
    }
    i = eol + 2;
  }
}

/** Pure: parses a response head from `buf`; undefined until it is complete. */
export function parseHead(
  buf: Buffer,
): { status: number; headerEnd: number; contentLength: number | null; chunked: boolean; close: boolean } | undefined {
  const h = new ResponseHead();
  if (!scanHead(buf, buf.length, h)) return undefined;
  return { ...h, contentLength: h.contentLength < 0 ? null : h.contentLength };
}

export interface OutgoingRequest {
  buffer: Buffer;
  /** When the request was due (open loop); NaN: when it is written (closed loop). */
  startedAt: number;
  /** HEAD: the response has headers only, whatever its Content-Length says. */
  noBody?: boolean;
  /** No keep-alive: the connection is closed after this request's answer, and the next one opens a new one. */
  close?: boolean;
}

export interface ConnectionHooks {
  /** `startedAt` is when the request was due (closed loop: when it was sent), `sentAt` when it was written. */
  onResponse: (status: number, startedAt: number, sentAt: number, endedAt: number) => void;
  onError: (timeout: boolean) => void;
  /** This process may not open another socket (EMFILE, ENFILE): the load cannot go on as asked. */
  onSocketLimit?: (code: string) => void;
  /** The next request to send, or undefined to stay idle (open loop waits for its schedule). */
  next: () => OutgoingRequest | undefined;
}

/** Every connection of a thread reads into this buffer: a read is handled before the next one lands. */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * One keep-alive connection that reconnects when the server closes it (or after each answer, for
 * requests marked `close`: a new connection per request, as ApacheBench without -k).
 */
export class HttpConnection {
  private socket: Socket | undefined;
  private readonly head = new ResponseHead();
  private headDone = false;
  /** Body bytes read so far of the response in flight. */
  private bodySeen = 0;
  /** Bytes kept across reads: a head split over reads, or a chunked body (its end is in its last bytes). */
  private part: Buffer | undefined;
  private partLen = 0;
  private startedAt = 0;
  private sentAt = 0;
  inFlight = false;
  private closed = false;
  private pending: OutgoingRequest | undefined;
  private noBody = false;
  private closeAfter = false;
  private connecting = false;
  private connectingSince = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly hooks: ConnectionHooks,
  ) {}

  /** Starts the request loop: sends whatever `next()` gives. */
  kick(): void {
    if (this.closed || this.inFlight) return;
    const req = this.pending ?? this.hooks.next();
    this.pending = undefined;
    if (!req) return;
    if (!this.socket || this.connecting) {
      // Closed loop: the request starts now, so the time to connect counts in its latency.
      if (Number.isNaN(req.startedAt)) req.startedAt = performance.now();
      this.pending = req;
      this.open();
      return;
    }
    this.inFlight = true;
    this.noBody = req.noBody ?? false;
    this.closeAfter = req.close ?? false;
    this.sentAt = performance.now();
    this.startedAt = Number.isNaN(req.startedAt) ? this.sentAt : req.startedAt;
    this.socket.write(req.buffer);
  }

  /** A request is in flight or waiting for the connection to open. */
  get busy(): boolean {
    return this.inFlight || this.pending !== undefined;
  }

  /** Milliseconds since the current request was written, or since its connection was asked for (0 when idle). */
  waitingFor(now: number): number {
    if (this.inFlight) return now - this.sentAt;
    return this.connecting && this.pending ? now - this.connectingSince : 0;
  }

  private open(): void {
    if (this.connecting || this.closed) return;
    this.connecting = true;
    this.connectingSince = performance.now();
    // onread: each read lands in one shared buffer and comes straight here, without a Buffer and a
    // stream 'data' event per response.
    const socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: { buffer: sharedReadBuffer, callback: (n) => this.onRead(n, sharedReadBuffer) },
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.connecting = false;
      this.kick();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EMFILE" || err.code === "ENFILE") this.hooks.onSocketLimit?.(err.code);
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      // Closed before it connected (refused, reset): the request waiting for it failed.
      const refused = this.connecting && this.pending !== undefined;
      // A body without a declared length ends where the server closes (RFC 9112, 6.3): an answer.
      const ended = this.inFlight && this.headDone && this.head.contentLength < 0 && !this.head.chunked;
      const status = this.head.status;
      this.socket = undefined;
      this.connecting = false;
      this.resetResponse();
      if (ended) {
        this.inFlight = false;
        this.hooks.onResponse(status, this.startedAt, this.sentAt, performance.now());
        this.kick();
        return;
      }
      if (this.inFlight || refused) {
        this.inFlight = false;
        this.pending = undefined;
        this.hooks.onError(false);
        // Back off a little so a refusing server is not hammered in a tight loop.
        if (!this.closed) setTimeout(() => this.kick(), 10);
        return;
      }
      if (!this.closed && this.pending) this.open();
    });
  }

  /** A read: `n` bytes at the start of `chunk` (the shared buffer, overwritten by the next read). */
  private onRead(n: number, chunk: Buffer): true {
    if (!this.inFlight) return true;
    const h = this.head;
    if (!this.headDone) {
      const kept = this.partLen > 0;
      if (kept) this.keep(chunk, n);
      const buf = kept ? (this.part as Buffer) : chunk;
      const len = kept ? this.partLen : n;
      if (!scanHead(buf, len, h)) {
        if (!kept) this.keep(chunk, n);
        return true;
      }
      this.headDone = true;
      this.bodySeen = len - h.headerEnd;
      if (!h.chunked) this.partLen = 0;
      else if (!kept) this.keep(chunk, n);
    } else {
      this.bodySeen += n;
      if (h.chunked) this.keep(chunk, n);
    }
    if (!this.complete()) return true;
    const endedAt = performance.now();
    this.resetResponse();
    this.inFlight = false;
    this.hooks.onResponse(h.status, this.startedAt, this.sentAt, endedAt);
    if (h.close || this.closeAfter) {
      const s = this.socket;
      this.socket = undefined;
      s?.destroy();
    }
    this.kick();
    return true;
  }

  /** The response in flight, whose head has been read, is complete. */
  private complete(): boolean {
    const h = this.head;
    if (this.noBody) return true;
    if (h.contentLength >= 0) return this.bodySeen >= h.contentLength;
    if (h.chunked) {
      const p = this.part as Buffer;
      return this.partLen >= 5 && p.compare(CHUNKED_END, 0, 5, this.partLen - 5, this.partLen) === 0;
    }
    return h.status === 204 || h.status === 304 || (h.status >= 100 && h.status < 200);
  }

  /** Appends chunk[0, n) to the bytes kept across reads. */
  private keep(chunk: Buffer, n: number): void {
    const need = this.partLen + n;
    if (!this.part || this.part.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, 2 * (this.part?.length ?? 2048)));
      this.part?.copy(grown, 0, 0, this.partLen);
      this.part = grown;
    }
    chunk.copy(this.part, this.partLen, 0, n);
    this.partLen = need;
  }

  private resetResponse(): void {
    this.headDone = false;
    this.partLen = 0;
    this.bodySeen = 0;
  }

  /**
   * Abandons the request in flight (a timeout) and reconnects; a connection not made within the
   * timeout is a connection error instead (nothing was sent), retried after a pause.
   */
  timeout(): void {
    if (!this.inFlight) {
      if (this.connecting && this.pending) this.abandonConnect();
      return;
    }
    this.inFlight = false;
    this.hooks.onError(true);
    const s = this.socket;
    this.socket = undefined;
    this.resetResponse();
    s?.destroy();
    this.kick();
  }

  private abandonConnect(): void {
    const s = this.socket;
    this.socket = undefined;
    this.connecting = false;
    this.pending = undefined;
    s?.destroy();
    this.hooks.onError(false);
    if (!this.closed) setTimeout(() => this.kick(), 10);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** Builds the bytes of a request once. */
export function requestBuffer(
  host: string,
  r: { method: string; path: string; headers: Record<string, string>; body?: string },
): Buffer {
  const body = r.body ?? "";
  const headers = { host, ...r.headers, ...(body ? { "content-length": String(Buffer.byteLength(body)) } : {}) };
  const lines = [`${r.method} ${r.path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`, "latin1");
}
