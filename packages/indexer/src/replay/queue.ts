/**
 * A FIFO between the listing (one producer) and the object workers (consumers). Bounded: when it
 * holds `capacity` items, `push` waits, so listing a bucket of millions of objects pauses instead
 * of filling memory while the workers catch up.
 */
export class BoundedQueue<T> {
  readonly #capacity: number;
  #items: T[] = [];
  #head = 0;
  #ended = false;
  readonly #takers: Array<(item: T | undefined) => void> = [];
  readonly #pushers: Array<(accepted: boolean) => void> = [];

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    this.#capacity = capacity;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an item once there is room; resolves false (item not taken) when the queue was ended. */
  async push(item: T): Promise<boolean> {
    for (;;) {
      if (this.#ended) return false;
      const taker = this.#takers.shift();
      if (taker !== undefined) {
        taker(item);
        return true;
      }
      if (this.length < this.#capacity) {
        this.#items.push(item);
        return true;
      }
      const accepted = await new Promise<boolean>((resolve) => this.#pushers.push(resolve));
      if (!accepted) return false;
    }
  }

  /** The next item; undefined once the queue is ended and empty. */
  shift(): Promise<T | undefined> {
    if (this.length > 0) {
      const item = this.#items[this.#head] as T;
      this.#head++;
      // Drop the consumed front now and then: Array#shift on a large array is O(n) per call.
      if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      this.#pushers.shift()?.(true);
      return Promise.resolve(item);
    }
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#takers.push(resolve));
  }

  /** No more pushes: consumers drain what is there, then get undefined. */
  end(): void {
    this.#ended = true;
    for (const pusher of this.#pushers.splice(0)) pusher(false);
    for (const taker of this.#takers.splice(0)) taker(undefined);
  }

  /** Ends the queue and drops what is in it; returns how many items were dropped. */
  abort(): number {
    const dropped = this.length;
    this.#items = [];
    this.#head = 0;
    this.end();
    return dropped;
  }
}
