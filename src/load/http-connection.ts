import { connect, type Socket } from "node:net";

// A lean HTTP/1.1 client connection for load generation: one request in flight, a request buffer
// built once, and just enough response parsing to find the status and the end of the body.
// autocannon parses every response with http-parser-js (JavaScript) and reschedules a timer per
// request; on a 2-CPU runner its CPU cost took throughput from the stack under test.

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CHUNKED_END = Buffer.from("0\r\n\r\n");

export interface ResponseInfo {
  status: number;
}

const CONTENT_LENGTH = [Buffer.from("\r\ncontent-length:"), Buffer.from("\r\nContent-Length:")];
const CHUNKED = Buffer.from("chunked");
const CLOSE = [
  Buffer.from("\r\nconnection: close"),
  Buffer.from("\r\nConnection: close"),
  Buffer.from("\r\nConnection: Close"),
];

/** Index of the first needle found in buf[0, end), or -1. */
function find(buf: Buffer, needles: readonly Buffer[], end: number): number {
  for (const n of needles) {
    const i = buf.indexOf(n);
    if (i >= 0 && i < end) return i + n.length;
  }
  return -1;
}

/**
 * Pure: parses a response head (status line and headers) from `buf`; undefined until it is complete.
 * Byte searches instead of a string copy per response: this runs for every response of the load.
 */
export function parseHead(
  buf: Buffer,
): { status: number; headerEnd: number; contentLength: number | null; chunked: boolean; close: boolean } | undefined {
  const end = buf.indexOf(CRLFCRLF);
  if (end < 0) return undefined;
  const status = (buf[9] - 48) * 100 + (buf[10] - 48) * 10 + (buf[11] - 48);
  let contentLength: number | null = null;
  let i = find(buf, CONTENT_LENGTH, end);
  if (i < 0) {
    // Any other spelling of the header name: the slow path.
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.toString("latin1", 0, end));
    if (m) contentLength = Number(m[1]);
  } else {
    while (buf[i] === 32) i++;
    let n = 0;
    while (buf[i] >= 48 && buf[i] <= 57) n = n * 10 + (buf[i++] - 48);
    contentLength = n;
  }
  const chunked = contentLength === null && buf.indexOf(CHUNKED) >= 0 && buf.indexOf(CHUNKED) < end;
  const close = find(buf, CLOSE, end) >= 0 || buf[7] === 48; // HTTP/1.0
  return { status, headerEnd: end + 4, contentLength, chunked, close };
}

export interface OutgoingRequest {
  buffer: Buffer;
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

/**
 * One keep-alive connection that reconnects when the server closes it (or after each answer, for
 * requests marked `close`: a new connection per request, as ApacheBench without -k).
 */
export class HttpConnection {
  private socket: Socket | undefined;
  private buf: Buffer | undefined;
  private head: ReturnType<typeof parseHead>;
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
      this.pending = req;
      this.open();
      return;
    }
    this.inFlight = true;
    this.noBody = req.noBody ?? false;
    this.closeAfter = req.close ?? false;
    this.startedAt = req.startedAt;
    this.sentAt = performance.now();
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
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    socket.on("connect", () => {
      this.connecting = false;
      this.kick();
    });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EMFILE" || err.code === "ENFILE") this.hooks.onSocketLimit?.(err.code);
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      // Closed before it connected (refused, reset): the request waiting for it failed.
      const refused = this.connecting && this.pending !== undefined;
      // A body without a declared length ends where the server closes (RFC 9112, 6.3): an answer.
      const ended = this.inFlight && this.head !== undefined && this.head.contentLength === null && !this.head.chunked;
      const status = this.head?.status ?? 0;
      this.socket = undefined;
      this.connecting = false;
      this.buf = undefined;
      this.head = undefined;
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

  private onData(chunk: Buffer): void {
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.head) {
      this.head = parseHead(this.buf);
      if (!this.head) return;
    }
    const h = this.head;
    const body = this.buf.length - h.headerEnd;
    let done: boolean;
    if (this.noBody) done = true;
    else if (h.contentLength !== null) done = body >= h.contentLength;
    else if (h.chunked) done = this.buf.length >= 5 && this.buf.subarray(this.buf.length - 5).equals(CHUNKED_END);
    else done = h.status === 204 || h.status === 304 || (h.status >= 100 && h.status < 200);
    if (!done) return;
    const endedAt = performance.now();
    this.buf = undefined;
    this.head = undefined;
    this.inFlight = false;
    this.hooks.onResponse(h.status, this.startedAt, this.sentAt, endedAt);
    if (h.close || this.closeAfter) {
      const s = this.socket;
      this.socket = undefined;
      s?.destroy();
    }
    this.kick();
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
    this.buf = undefined;
    this.head = undefined;
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
