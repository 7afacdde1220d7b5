import { Samples } from "./stats";

interface Event {
  at: number;
  run: (scheduledAt: number) => void;
}

/**
 * Open-loop scheduler: events fire at their planned time whatever happened to
 * earlier requests, and each request's latency is measured from `scheduledAt`,
 * so a server that falls behind shows its queue instead of slowing the clients
 * down (coordinated omission). One timer and a binary heap, not a timer per
 * participant: 20,000 timers with distinct deadlines cost the load generator
 * more than the heap.
 *
 * `lag` records how late events were dispatched: when it grows, the load
 * generator itself (sharing the cores with the server) is the bottleneck.
 */
export class Scheduler {
  readonly lag = new Samples();
  private readonly heap: Event[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private wakeAt = Number.POSITIVE_INFINITY;
  private firing = false;

  /** Times are performance.now() milliseconds. */
  at(at: number, run: (scheduledAt: number) => void): void {
    if (this.stopped) return;
    this.push({ at, run });
    if (!this.firing && at < this.wakeAt) this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.heap.length = 0;
  }

  private arm(): void {
    clearTimeout(this.timer);
    const first = this.heap[0];
    if (!first || this.stopped) {
      this.wakeAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.wakeAt = first.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.at - performance.now()));
  }

  private fire(): void {
    this.wakeAt = Number.POSITIVE_INFINITY;
    this.firing = true;
    const now = performance.now();
    // Runs may schedule again (the next poll): those land in the heap and are picked up below or at the next wake.
    try {
      while (!this.stopped && this.heap.length > 0 && (this.heap[0] as Event).at <= now) {
        const event = this.pop();
        this.lag.add(now - event.at);
        event.run(event.at);
      }
    } finally {
      this.firing = false;
    }
    this.arm();
  }

  private push(event: Event): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Event).at <= event.at) break;
      heap[i] = heap[parent] as Event;
      i = parent;
    }
    heap[i] = event;
  }

  private pop(): Event {
    const heap = this.heap;
    const top = heap[0] as Event;
    const last = heap.pop() as Event;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && (heap[right] as Event).at < (heap[left] as Event).at ? right : left;
        if ((heap[child] as Event).at >= last.at) break;
        heap[i] = heap[child] as Event;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
