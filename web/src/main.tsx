import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppController } from './app/AppController';
import { App } from './components/App';
import { DaemonApi } from './daemon/api';
import { takeControlToken } from './daemon/controlToken';
import { DaemonSocket, defaultDaemonUrl } from './daemon/DaemonSocket';
import { LaneApi } from './daemon/laneApi';
import { browserLaneResumeStore } from './lane/laneResumeStore';
import { browserPeerConnectionFactory } from './rtc/PeerSession';
import type { Timing } from './peer/PeerController';
import type { TransferHookInfo } from './transfer/transferView';
import { browserTransferStore } from './transfer/store';
import './styles.css';

declare global {
  interface Window {
    /** Read-only debug info for benchmarks and tests. */
    readonly __peerdrop?: {
      readonly timings: Readonly<Record<string, Readonly<Timing>>>;
      readonly transfers: readonly Readonly<TransferHookInfo>[];
    };
  }
}

function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function indexedDbFactory(): IDBFactory | null {
  try {
    return window.indexedDB ?? null;
  } catch {
    return null;
  }
}

// The daemon's link gives the page its key once (#token=…); the page keeps it and clears the address bar.
const token = takeControlToken(window.location, (path) => window.history.replaceState(window.history.state, '', path), localStore());

const controller = new AppController({
  socket: new DaemonSocket({ url: defaultDaemonUrl(token) }),
  api: new DaemonApi(undefined, token),
  // Unfinished transfers: IndexedDB survives a crash of the browser, localStorage's last seconds do not.
  transferStore: browserTransferStore(indexedDbFactory(), localStore()),
  storage: localStore(),
  // Files daemon to daemon: the page's uploads and answers go to its daemon with the same key.
  laneApi: new LaneApi(undefined, token),
  laneStore: browserLaneResumeStore(indexedDbFactory(), localStore()),
  // Each peer's "Force relay" lasts for the page session.
  sessionStorage: sessionStore(),
  createPeerConnection: browserPeerConnectionFactory,
  monotonicNow: () => performance.now(),
});

Object.defineProperty(window, '__peerdrop', {
  configurable: false,
  enumerable: false,
  value: Object.freeze({
    get timings() {
      return Object.freeze(controller.timings());
    },
    get transfers() {
      return Object.freeze(controller.transferHooks().map((t) => Object.freeze(t)));
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
