// Keeps unfinished transfers in the store: a record is saved at once when a
// transfer starts or is accepted, at most once a second while its files get
// their verdicts, and removed when it ends.

import type { Timers } from '../util/timers';
import { Throttle } from './progress';
import type { StoredTransfer, TransferStore } from './store';

export const SAVE_INTERVAL_MS = 1_000;

export class TransferPersistence {
  private readonly dirty = new Set<string>();
  private readonly throttle: Throttle;

  /** `recordOf`: the record to save for `tid` now, or null when it is no longer kept. */
  constructor(
    readonly store: TransferStore,
    timers: Timers,
    private readonly recordOf: (tid: string) => StoredTransfer | null,
  ) {
    this.throttle = new Throttle(timers, SAVE_INTERVAL_MS, () => this.flush());
  }

  save(record: StoredTransfer): void {
    this.store.save(record);
  }

  /** The transfer changed in a way worth keeping, but not worth a write each time. */
  saveSoon(tid: string): void {
    this.dirty.add(tid);
    this.throttle.request();
  }

  /** The transfer ended (or is not worth keeping): nothing of it stays. */
  forget(tid: string): void {
    this.dirty.delete(tid);
    this.store.remove(tid);
  }

  flush(): void {
    for (const tid of this.dirty) {
      const record = this.recordOf(tid);
      if (record) this.save(record);
    }
    this.dirty.clear();
  }

  /** Saves what is due and stops. */
  dispose(): void {
    this.flush();
    this.throttle.cancel();
  }
}
