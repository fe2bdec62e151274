// Binary min-heap of deadlines, the single data structure behind every timer in the process.

/** A scheduled item. Hold on to it to remove it later; its fields never change. */
export interface HeapEntry<T> {
  readonly key: number;
  readonly value: T;
}

class Node<T> implements HeapEntry<T> {
  /** Position in the backing array; -1 once popped or removed, so a stale handle is harmless. */
  index = -1;
  constructor(
    readonly key: number,
    /** Insertion counter: breaks ties so equal deadlines run in the order they were scheduled. */
    readonly seq: number,
    readonly value: T,
  ) {}
}

function before<T>(a: Node<T>, b: Node<T>): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}

/**
 * Min-heap keyed by a number, FIFO among equal keys. push/pop/remove are O(log n), peek O(1).
 * Entries track their own index, so removal is eager: cancelled deadlines never pile up, which
 * matters when thousands of keys keep re-scheduling themselves.
 */
export class DeadlineHeap<T> {
  private readonly items: Node<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(key: number, value: T): HeapEntry<T> {
    // NaN compares false both ways and would silently corrupt the heap order.
    if (Number.isNaN(key)) throw new RangeError('DeadlineHeap key must not be NaN');
    const node = new Node(key, this.seq++, value);
    node.index = this.items.length;
    this.items.push(node);
    this.siftUp(node.index);
    return node;
  }

  peek(): HeapEntry<T> | undefined {
    return this.items[0];
  }

  pop(): HeapEntry<T> | undefined {
    const top = this.items[0];
    if (top === undefined) return undefined;
    this.removeAt(0);
    return top;
  }

  /** Removes an entry previously returned by push. False if it already left the heap (or is foreign). */
  remove(entry: HeapEntry<T>): boolean {
    if (!(entry instanceof Node)) return false;
    const node = entry as Node<T>;
    if (node.index < 0 || this.items[node.index] !== node) return false;
    this.removeAt(node.index);
    return true;
  }

  clear(): void {
    for (const n of this.items) n.index = -1;
    this.items.length = 0;
  }

  private removeAt(i: number): void {
    const removed = this.items[i]!;
    const last = this.items.pop()!;
    removed.index = -1;
    if (last === removed) return;
    this.items[i] = last;
    last.index = i;
    // The moved node may belong either above or below its new slot.
    if (i > 0 && before(last, this.items[(i - 1) >> 1]!)) this.siftUp(i);
    else this.siftDown(i);
  }

  private siftUp(i: number): void {
    const items = this.items;
    const node = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(node, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = p;
    }
    items[i] = node;
    node.index = i;
  }

  private siftDown(i: number): void {
    const items = this.items;
    const n = items.length;
    const node = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(items[r]!, items[l]!)) c = r;
      const child = items[c]!;
      if (!before(child, node)) break;
      items[i] = child;
      child.index = i;
      i = c;
    }
    items[i] = node;
    node.index = i;
  }
}
