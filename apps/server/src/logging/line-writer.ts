/**
 * A pino destination for stdout that hands the lines written during one turn of the event
 * loop to the stream in one write: a line's cost is its formatting, not a write of its own
 * (pino's asynchronous destination, sonic-boom, costs about 3 µs per request line here,
 * this well under 1: bench/src/observe-cost.ts). Lines still pending when the process exits
 * are written then (stdout to a file or a pipe writes synchronously on Linux).
 */
export class LineWriter {
  private parts: string[] = [];
  private scheduled = false;

  constructor(private readonly sink: { write(chunk: string): unknown } = process.stdout) {
    process.once("exit", () => this.flush());
  }

  write(line: string): boolean {
    this.parts.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.parts.length === 0) return;
    const data = this.parts.join("");
    this.parts = [];
    this.sink.write(data);
  };
}
