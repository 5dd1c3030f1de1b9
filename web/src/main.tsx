import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppController } from './app/AppController';
import { App } from './components/App';
import { DaemonSocket } from './daemon/DaemonSocket';
import { browserPeerConnectionFactory } from './rtc/PeerSession';
import type { Timing } from './rtc/PeerController';
import { autoAcceptEnabled } from './settings/theme';
import './styles.css';

declare global {
  interface Window {
    /** Read-only debug info for benchmarks and tests. */
    readonly __peerdrop?: { readonly timings: Readonly<Record<string, Readonly<Timing>>> };
  }
}

const controller = new AppController({
  socket: new DaemonSocket(),
  createPeerConnection: browserPeerConnectionFactory,
  monotonicNow: () => performance.now(),
  // Benchmark/testing only: localStorage 'peerdrop.autoAccept' = '1' accepts every request unasked.
  autoAccept: () => {
    try {
      return autoAcceptEnabled(localStorage);
    } catch {
      return false;
    }
  },
});

Object.defineProperty(window, '__peerdrop', {
  configurable: false,
  enumerable: false,
  value: Object.freeze({
    get timings() {
      return Object.freeze(controller.timings());
    },
  }),
});

controller.start();
window.addEventListener('pagehide', () => controller.stop());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App controller={controller} />
  </StrictMode>,
);
