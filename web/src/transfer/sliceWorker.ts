// The module worker behind WorkerSliceSource (sliceSource.ts): reads the
// files the sending page names, hashes them, and hands the slices back.
// Vite bundles it as its own file (new Worker(new URL(...), { type: 'module' })).

import { SliceWorkerHost } from './SliceWorkerHost';
import type { FromSliceWorker, ToSliceWorker } from './sliceWorkerProtocol';

interface WorkerScope {
  postMessage(message: FromSliceWorker, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToSliceWorker>) => void) | null;
}

const scope = self as unknown as WorkerScope;
const host = new SliceWorkerHost((message, transfer) => scope.postMessage(message, transfer ?? []));
scope.onmessage = (event) => host.handle(event.data);
void host.start();
