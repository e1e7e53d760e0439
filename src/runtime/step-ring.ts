// A bounded window over a stream: what a simulated run keeps of its steps for
// a violation's trace, in constant time per step (an array's shift is not).

/** The last `capacity` items pushed, oldest first, in constant time per push. */
export class StepRing<T> {
  private readonly buf: T[] = [];
  pushed = 0;
  constructor(private readonly capacity: number) {}
  push(item: T): void {
    this.buf[this.pushed % this.capacity] = item;
    this.pushed++;
  }
  get dropped(): number {
    return Math.max(0, this.pushed - this.capacity);
  }
  items(): T[] {
    if (this.pushed <= this.capacity) return this.buf.slice(0, this.pushed);
    const at = this.pushed % this.capacity;
    return [...this.buf.slice(at), ...this.buf.slice(0, at)];
  }
}
