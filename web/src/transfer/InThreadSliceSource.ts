// A SliceSource that reads and hashes on the calling thread (tests, and the
// page's fallback when no worker starts).

import { IncrementalSha256, type HashSnapshot } from './sha256';
import { readSlices, startHash, type ReadOptions, type SliceRequest, type SliceSource, type SliceStream } from './sliceSource';

/** Reads and hashes on the calling thread. */
export class InThreadSliceSource implements SliceSource {
  private readonly streams = new Set<SliceStream>();

  /** `createHash`: JavaScript by default (synchronous: tests with fake timers stay deterministic). */
  constructor(
    private readonly options: ReadOptions & { createHash?: () => IncrementalSha256 | Promise<IncrementalSha256> } = {},
  ) {}

  open(request: SliceRequest, onSnapshot: (snapshot: HashSnapshot) => void): SliceStream {
    const made = (this.options.createHash ?? IncrementalSha256.create)();
    const start = (hash: IncrementalSha256) => readSlices(request, startHash(request, hash), onSnapshot, this.options);
    let slices: AsyncGenerator<Uint8Array, string> | Promise<AsyncGenerator<Uint8Array, string>> =
      made instanceof IncrementalSha256 ? start(made) : made.then(start);
    const streams = this.streams;
    let closed = false;
    const stream: SliceStream = {
      sha256: null,
      async next() {
        if (closed) return null;
        slices = await slices;
        const result = await slices.next();
        if (!result.done) return result.value;
        (stream as { sha256: string | null }).sha256 = result.value;
        streams.delete(stream);
        return null;
      },
      close() {
        closed = true;
        streams.delete(stream);
        void Promise.resolve(slices)
          .then((generator) => generator.return(''))
          .catch(() => undefined);
      },
    };
    streams.add(stream);
    return stream;
  }

  close(): void {
    for (const stream of [...this.streams]) stream.close();
  }
}
