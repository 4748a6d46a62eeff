/**
 * A batch's places in the engine (its slots), given in the order the photos got their turn: each photo takes a
 * ticket when its turn comes and gives its place back exactly once when it ends, whether or not it used it. The
 * photo opened ahead waits for its ticket's place even when it is ready before the one in front of it.
 */
export class Places {
  private issued = 0;
  private given = 0;
  private readonly waiting = new Map<number, () => void>();

  constructor(public size = 1) {}

  /** The next ticket (take them in turn order). */
  ticket(): number {
    return this.issued++;
  }

  /** Waits for `ticket`'s place, unless `now` (a cancelled batch: its photos end at once). */
  async take(ticket: number, now = false): Promise<void> {
    if (now || this.free(ticket)) return;
    await new Promise<void>((resolve) => this.waiting.set(ticket, resolve));
  }

  /** Gives a place back (once per ticket): the next ticket's photo goes on. */
  give(): void {
    this.given++;
    for (const [ticket, resolve] of this.waiting) {
      if (!this.free(ticket)) continue;
      this.waiting.delete(ticket);
      resolve();
    }
  }

  /** Lets every waiting photo through (the batch was cancelled). */
  releaseAll(): void {
    for (const resolve of this.waiting.values()) resolve();
    this.waiting.clear();
  }

  private free(ticket: number): boolean {
    return ticket < this.given + this.size;
  }
}
