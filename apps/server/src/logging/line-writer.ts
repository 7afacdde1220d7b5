/**
 * A pino destination for stdout that hands the lines written during one turn of the event
 * loop to the stream in one write: a line's cost is its formatting, not a write of its own
 * (pino's asynchronous destination, sonic-boom, costs about 3 µs per request line here,
 * this well under 1: bench/src/observe-cost.ts). Lines still pending when the process exits
 * are written then (stdout to a file or a pipe writes synchronously on Linux).
 */
export class LineWriter {
  /** A string grown by `+=` (V8 keeps it as a rope until written): cheaper than an array joined. */
  private pending = "";
  private scheduled = false;

  constructor(private readonly sink: { write(chunk: string): unknown } = process.stdout) {
    process.once("exit", () => this.flush());
  }

  write(line: string): boolean {
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending === "") return;
    const data = this.pending;
    this.pending = "";
    this.sink.write(data);
  };
}
