// The page's state outside React: the daemon socket, this machine, the settings,
// and one PeerController per peer. Routes daemon messages to the peer they
// concern and hands React an immutable snapshot (useSyncExternalStore).

import { ApiError, DaemonApi, type ScanStatus } from '../daemon/api';
import { DaemonClient } from '../daemon/DaemonClient';
import { LaneApi } from '../daemon/laneApi';
import type { DaemonSocket, DaemonSocketStatus } from '../daemon/DaemonSocket';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  sortPeers,
  type DaemonMessage,
  type IceServer,
  type Peer,
  type PeerMessage,
  type ReceivedFile,
  type RelayStatus,
  type SelfInfo,
  type Settings,
} from '../daemon/protocol';
import type { StorageLike } from '../settings/theme';
import { DaemonFiles, type DaemonFilePort } from '../transfer/DaemonFiles';
import type { PickedFile } from '../transfer/pickFiles';
import { TransferHub } from '../transfer/TransferHub';
import type { TransferHookInfo, TransferView } from '../transfer/transferView';
import type { TransferStore } from '../transfer/store';
import { PeerController, type OutgoingSignal, type PeerView, type Timing } from '../peer/PeerController';
import type { PeerConnectionFactory } from '../rtc/PeerSession';
import { LaneController, type LanePort } from '../lane/LaneController';
import { StorageLaneResumeStore, type LaneResumeStore } from '../lane/laneResumeStore';
import { Emitter, realTimers, type Timers } from '../util/timers';
import { MessageBook } from '../messages/MessageBook';

export interface AppSnapshot {
  daemon: DaemonSocketStatus;
  /** The daemon refused this page's key (the control token): the page must be opened with the daemon's link. */
  keyRefused: boolean;
  self: SelfInfo | null;
  settings: Settings | null;
  /** False when the daemon has no settings API (older daemon). */
  settingsAvailable: boolean;
  peers: readonly PeerView[];
  selectedPeerId: string | null;
  /** Peers whose request waits for our person, oldest first. */
  incoming: readonly PeerView[];
  scan: ScanStatus | null;
  /** Page-level notices (not about one peer). */
  notices: readonly string[];
  /** Every transfer of this page (WebRTC) and of the lane (daemon to daemon), newest first. */
  transfers: readonly TransferView[];
  /** File requests waiting for our person, oldest first (WebRTC's, then the lane's). */
  fileOffers: readonly TransferView[];
  /** Short notes about lane transfers (an offer answered elsewhere, a send that failed). */
  laneNotes: readonly string[];
  /** The last files received on this computer (null until the daemon said). */
  receivedFiles: readonly ReceivedFile[] | null;
  /** This computer's relay (TURN); null while the daemon has not said (an older daemon never does). */
  relay: RelayStatus | null;
  /** Messages daemon to daemon: the conversations this page fetched, oldest first. */
  conversations: Readonly<Record<string, readonly PeerMessage[]>>;
  /** Unread incoming messages per peer id. */
  unreadMessages: Readonly<Record<string, number>>;
}

export interface AppControllerOptions {
  socket: DaemonSocket;
  api?: DaemonApi;
  createPeerConnection: PeerConnectionFactory;
  timers?: Timers;
  monotonicNow?: () => number;
  createSessionId?: () => string;
  iceServersTimeoutMs?: number;
  /** Where unfinished transfers are kept across reloads and crashes (IndexedDB in the browser). */
  transferStore?: TransferStore;
  /** Without `transferStore`: a synchronous Storage for them (tests). */
  storage?: (StorageLike & { readonly length?: number; key?(index: number): string | null }) | null;
  /** The daemon's file side (tests give a fake). */
  daemonFiles?: DaemonFilePort & { handle(message: DaemonMessage): boolean };
  /** Transfer ids (tests). */
  createTid?: () => string;
  /** What lasts for the page session only: each peer's "Force relay" (sessionStorage in the browser). */
  sessionStorage?: StorageLike | null;
  /** The lane's HTTP calls (LaneApi with the control token in the browser). */
  laneApi?: LanePort;
  /** Where unfinished page uploads of the lane are kept (IndexedDB in the browser). */
  laneStore?: LaneResumeStore;
}

export class AppController {
  private readonly socket: DaemonSocket;
  readonly api: DaemonApi;
  private readonly timers: Timers;
  private readonly controllers = new Map<string, PeerController>();
  private readonly changes = new Emitter<void>();
  private readonly client: DaemonClient;
  private readonly incomingOrder: string[] = [];
  private self: SelfInfo | null = null;
  private settings: Settings | null = null;
  private settingsAvailable = true;
  private peers: Peer[] = [];
  private selectedPeerId: string | null = null;
  private scan: ScanStatus | null = null;
  private notices: string[] = [];
  private snapshot: AppSnapshot | null = null;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly daemonFiles: DaemonFilePort & { handle(message: DaemonMessage): boolean };
  readonly transfers: TransferHub;
  /** Files daemon to daemon: pushes, page uploads, offers. */
  readonly lane: LaneController;
  private receivedFiles: ReceivedFile[] | null = null;
  /** The daemon pushes its list (`files`): no need to fetch it after each file. */
  private filesPushed = false;
  private filesRefresh: ReturnType<Timers['setTimeout']> | null = null;
  private relay: RelayStatus | null = null;
  private keyRefused = false;
  private readonly messages = new MessageBook();

  constructor(private readonly options: AppControllerOptions) {
    this.socket = options.socket;
    this.api = options.api ?? new DaemonApi();
    this.timers = options.timers ?? realTimers;
    this.client = new DaemonClient(this.socket, { timers: this.timers });
    this.daemonFiles = options.daemonFiles ?? new DaemonFiles(this.socket, { timers: this.timers });
    this.transfers = new TransferHub({
      daemon: this.daemonFiles,
      ...(options.transferStore ? { store: options.transferStore } : {}),
      storage: options.storage ?? null,
      timers: this.timers,
      ...(options.monotonicNow ? { monotonicNow: options.monotonicNow } : {}),
      autoAccept: (peerId) => this.trusts(peerId),
      setAutoAccept: (peerId, on) => this.setAutoAccept(peerId, on),
      onReceived: () => this.refreshFilesSoon(),
      peerName: (peerId) => this.controllers.get(peerId)?.view().peer.name ?? peerId.slice(0, 8),
      ...(options.createTid ? { createTid: options.createTid } : {}),
    });
    this.lane = new LaneController({
      api: options.laneApi ?? new LaneApi(),
      store: options.laneStore ?? new StorageLaneResumeStore(options.storage ?? null),
      timers: this.timers,
      peerName: (peerId, pushed) => this.controllers.get(peerId)?.view().peer.name ?? pushed,
      setAutoAccept: (peerId, on) => this.setAutoAccept(peerId, on),
    });
    this.unsubscribers.push(
      this.lane.subscribe(() => this.changed()),
      this.socket.onMessage((message) => this.onMessage(message)),
      this.socket.onStatus((status) => {
        // A WebSocket refused with 401 looks like any failure to the page: ask the API why.
        if (status.state === 'reconnecting') void this.checkKey();
        this.changed();
      }),
      this.transfers.subscribe(() => this.changed()),
    );
    void this.transfers.restore();
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    for (const off of this.unsubscribers) off();
    this.client.dispose();
    this.transfers.dispose();
    this.lane.dispose();
    if (this.filesRefresh !== null) this.timers.clearTimeout(this.filesRefresh);
    for (const controller of this.controllers.values()) controller.dispose();
    this.controllers.clear();
    this.socket.stop();
  }

  subscribe = (listener: () => void): (() => void) => this.changes.on(listener);

  getSnapshot = (): AppSnapshot => {
    if (this.snapshot) return this.snapshot;
    const views = sortPeers(this.peers).map((peer) => this.controllers.get(peer.id)?.view()).filter(isView);
    const incoming = this.incomingOrder
      .map((id) => this.controllers.get(id)?.view())
      .filter(isView)
      .filter((view) => view.incoming !== null);
    const transfers = [...this.transfers.views(), ...this.lane.transferViews()].sort((a, b) => b.createdAt - a.createdAt);
    // Nothing picked yet (e.g. after a reload): show the peer of an unfinished transfer.
    const selectedPeerId =
      this.selectedPeerId ??
      transfers.find((t) => t.canCancel && views.some((v) => v.peer.id === t.peerId))?.peerId ??
      null;
    this.snapshot = {
      daemon: this.socket.status,
      keyRefused: this.keyRefused,
      self: this.self,
      settings: this.settings,
      settingsAvailable: this.settingsAvailable,
      peers: views,
      selectedPeerId,
      incoming,
      scan: this.scan,
      notices: this.notices,
      transfers,
      fileOffers: [...this.transfers.incomingOffers(), ...this.lane.offerViews()],
      laneNotes: this.lane.currentNotes(),
      receivedFiles: this.receivedFiles,
      relay: this.relay,
      conversations: Object.fromEntries(this.peers.map((p) => [p.id, this.messages.conversation(p.id)])),
      unreadMessages: this.messages.unreadCounts(),
    };
    return this.snapshot;
  };

  /** Sends files to a connected peer (or resumes a paused request they belong to). */
  sendFiles(peerId: string, files: readonly PickedFile[]): string | null {
    return this.transfers.sendFiles(peerId, files);
  }

  /** Sends files over the lane: this daemon offers them to the peer's daemon; no connection needed. */
  sendOverLane(peerId: string, files: readonly PickedFile[]): Promise<string | null> {
    return this.lane.send(peerId, files);
  }

  /**
   * Files dropped in the peer's detail: over its live browser-to-browser
   * connection if there is one, else over the lane.
   */
  sendFromDetail(peerId: string, files: readonly PickedFile[]): void {
    if (this.controllers.get(peerId)?.view().connection.live) this.sendFiles(peerId, files);
    else void this.sendOverLane(peerId, files);
  }

  /** Accepts a file request (a lane offer or a WebRTC one), with "always accept" for its sender. */
  acceptFiles(tid: string, always: boolean): void {
    if (this.lane.has(tid)) void this.lane.answer(tid, true, always);
    else this.transfers.accept(tid, always);
  }

  declineFiles(tid: string): void {
    if (this.lane.has(tid)) void this.lane.answer(tid, false);
    else this.transfers.decline(tid);
  }

  cancelTransfer(tid: string): void {
    if (this.lane.has(tid)) void this.lane.cancel(tid);
    else this.transfers.cancel(tid);
  }

  dismissTransfer(tid: string): void {
    if (this.lane.has(tid)) this.lane.dismiss(tid);
    else this.transfers.dismiss(tid);
  }

  /** The files of a paused transfer chosen again. */
  reselectFiles(tid: string, files: readonly PickedFile[]): void {
    if (this.lane.has(tid)) void this.lane.reselect(tid, files);
    else this.transfers.reselect(tid, files);
  }

  /** Benchmark/test hook: every transfer's counters. */
  transferHooks(): TransferHookInfo[] {
    return this.transfers.hookInfo();
  }

  /** Where the received file `name` is downloaded from (with this page's key). */
  downloadUrl(name: string): string {
    return this.api.downloadUrl(name);
  }

  private async checkKey(): Promise<void> {
    try {
      await this.api.getSettings();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && !this.keyRefused) {
        this.keyRefused = true;
        this.changed();
      }
    }
  }

  /** The user ticked "always accept" for this peer: its connection and file requests need no click. */
  private trusts(peerId: string): boolean {
    return (this.settings?.autoAccept ?? []).includes(peerId);
  }

  /** Turns "always accept connections and files from this peer" on or off (PUT /api/settings autoAccept). */
  async setAutoAccept(peerId: string, on: boolean): Promise<void> {
    const current = this.settings?.autoAccept ?? [];
    const next = on ? [...new Set([...current, peerId])] : current.filter((id) => id !== peerId);
    this.applySettings(await this.api.putSettings({ autoAccept: next }));
  }

  /** Fetches the received files list (GET /api/files). */
  async refreshFiles(): Promise<void> {
    try {
      this.receivedFiles = await this.api.getFiles();
    } catch {
      // An older daemon without files: the list stays hidden.
    }
    this.changed();
  }

  peer(id: string): PeerController | undefined {
    return this.controllers.get(id);
  }

  select(id: string | null): void {
    this.selectedPeerId = id;
    this.changed();
  }

  connect(id: string): void {
    this.selectedPeerId = id;
    this.controllers.get(id)?.connect();
  }

  accept(id: string): void {
    this.selectedPeerId = id;
    this.controllers.get(id)?.accept();
  }

  /** Benchmark timings per peer: performance.now() of the Connect click and of the channel opening. */
  timings(): Record<string, Timing> {
    const result: Record<string, Timing> = {};
    for (const [id, controller] of this.controllers) result[id] = controller.view().timing;
    return result;
  }

  setScan(scan: ScanStatus | null): void {
    this.scan = scan;
    this.changed();
  }

  /** Settings saved through the HTTP API (the daemon also pushes them). */
  applySettings(settings: Settings): void {
    this.settings = settings;
    this.settingsAvailable = true;
    if (this.self) this.self = { ...this.self, name: settings.name };
    for (const controller of this.controllers.values()) controller.setTimeoutMs(settings.connectTimeoutMs);
    this.changed();
  }

  /** A peer changed through the HTTP API (the daemon's `peers` push follows). */
  peerChanged(peer: Peer): void {
    if (!this.peers.some((p) => p.id === peer.id)) return;
    this.peers = this.peers.map((p) => (p.id === peer.id ? peer : p));
    this.controllers.get(peer.id)?.updatePeer(peer);
    this.changed();
  }

  /** A peer was forgotten through the HTTP API. */
  forgotten(id: string): void {
    this.peers = this.peers.filter((p) => p.id !== id);
    this.removeController(id);
    this.changed();
  }

  // ---- daemon messages ----

  private refreshFilesSoon(): void {
    if (this.filesRefresh !== null || this.filesPushed) return;
    this.filesRefresh = this.timers.setTimeout(() => {
      this.filesRefresh = null;
      void this.refreshFiles();
    }, 300);
  }

  /** Fetches the conversation with `peer` (GET /api/messages) and marks what came from it read. */
  async openConversation(peer: string): Promise<void> {
    try {
      this.messages.load(peer, await this.api.getMessages(peer));
      if (this.messages.unreadCount(peer) > 0 || this.messages.conversation(peer).some((m) => m.direction === 'in' && !m.read)) {
        this.messages.markRead(peer);
        await this.api.markMessagesRead(peer);
      }
    } catch {
      // An older daemon without messages, or it is away: the panel shows what it has.
    }
    this.changed();
  }

  /** Queues a message for `peer` at this computer's daemon; the `message` pushes tell how it fares. */
  async sendMessage(peer: string, text: string): Promise<void> {
    this.messages.apply(await this.api.sendMessage(peer, text));
    this.changed();
  }

  private onMessage(message: DaemonMessage): void {
    if (this.lane.handle(message)) return;
    if (this.daemonFiles.handle(message)) return;
    if (this.client.handle(message)) {
      this.changed();
      return;
    }
    switch (message.type) {
      case 'message': {
        const { peer, direction, read } = message.message;
        this.messages.apply(message.message);
        // A message from the peer whose conversation is open is read as it arrives.
        if (direction === 'in' && !read && peer === this.selectedPeerId && this.messages.loaded(peer)) {
          this.messages.markRead(peer);
          this.api.markMessagesRead(peer).catch(() => undefined);
        }
        break;
      }
      case 'unread_messages':
        this.messages.setUnread(message.unread);
        break;
      case 'files':
        this.receivedFiles = message.files;
        this.filesPushed = true;
        break;
      case 'relay':
        this.relay = message.relay;
        break;
      case 'welcome':
        this.keyRefused = false;
        if (!this.filesPushed) void this.refreshFiles();
        this.self = message.self;
        // A new daemon connection (perhaps another daemon version): its relay message follows, if it has one.
        this.relay = null;
        if (message.settings) this.applySettings(message.settings);
        else void this.loadSettings();
        // A new daemon connection: say again which sessions still negotiate (long-poll).
        for (const controller of this.controllers.values()) controller.daemonReconnected();
        break;
      case 'settings':
        this.applySettings(message.settings);
        break;
      case 'peers':
        this.setPeers(message.peers);
        break;
      case 'signal': {
        let controller = this.controllers.get(message.from);
        if (!controller) {
          const name = typeof message.payload.name === 'string' ? message.payload.name : message.from.slice(0, 8);
          controller = this.addPeer(placeholderPeer(message.from, name));
          this.socket.send({ type: 'get_peers' });
        }
        controller.handleSignal(message);
        if (message.kind === 'connection_request') this.noteIncoming(message.from);
        break;
      }
      case 'session_taken':
        this.controllers.get(message.peer)?.sessionTaken(message.session);
        break;
      case 'error':
        this.notice(`PeerDrop on this computer reported: ${message.error}`);
        break;
    }
    this.changed();
  }

  private async loadSettings(): Promise<void> {
    try {
      this.applySettings(await this.api.getSettings());
    } catch {
      // An older daemon without settings: the defaults apply and the settings panel says so.
      this.settingsAvailable = false;
      this.changed();
    }
  }

  private setPeers(all: Peer[]): void {
    // A peer only heard of (its key not proven by a handshake) is not shown: anyone can announce a name.
    const peers = all.filter((p) => p.verified || p.outdated);
    const ids = new Set(peers.map((p) => p.id));
    for (const peer of peers) {
      const controller = this.controllers.get(peer.id);
      if (controller) controller.updatePeer(peer);
      else this.addPeer(peer);
    }
    for (const id of [...this.controllers.keys()]) {
      if (!ids.has(id)) this.removeController(id);
    }
    this.peers = peers;
  }

  private addPeer(peer: Peer): PeerController {
    const controller = new PeerController(peer, {
      selfId: this.self?.id ?? '',
      selfName: () => this.settings?.name ?? this.self?.name ?? 'PeerDrop',
      sendSignal: (peerId, signal) => this.sendSignal(peerId, signal),
      reportSession: (peerId, state) => {
        this.socket.send({ type: 'session', peer: peerId, state });
      },
      requestIceServers: (peerId) => this.requestIceServers(peerId),
      createPeerConnection: this.options.createPeerConnection,
      timers: this.timers,
      ...(this.options.monotonicNow ? { monotonicNow: this.options.monotonicNow } : {}),
      timeoutMs: this.settings?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      autoAccept: () => this.trusts(peer.id),
      ...(this.options.createSessionId ? { createSessionId: this.options.createSessionId } : {}),
      storage: this.options.sessionStorage ?? null,
    });
    controller.onChange(() => {
      if (controller.state === 'connected' && this.selectedPeerId === null) this.selectedPeerId = controller.peerId;
      this.changed();
    });
    this.transfers.setLink(peer.id, controller.transferLink());
    controller.onTransfer((event) => {
      switch (event.type) {
        case 'up':
          this.transfers.peerUp(controller.peerId);
          break;
        case 'down':
          this.transfers.peerDown(controller.peerId);
          break;
        case 'control':
          this.transfers.control(controller.peerId, event.message);
          break;
        case 'channel':
          this.transfers.fileChannel(controller.peerId, event.channel);
          break;
      }
    });
    this.controllers.set(peer.id, controller);
    if (!this.peers.some((p) => p.id === peer.id)) this.peers = [...this.peers, peer];
    return controller;
  }

  private removeController(id: string): void {
    const controller = this.controllers.get(id);
    if (!controller) return;
    controller.dispose();
    this.transfers.setLink(id, null);
    this.controllers.delete(id);
    if (this.selectedPeerId === id) this.selectedPeerId = null;
  }

  private noteIncoming(id: string): void {
    const at = this.incomingOrder.indexOf(id);
    if (at >= 0) this.incomingOrder.splice(at, 1);
    this.incomingOrder.push(id);
  }

  /** Sends a signal; the daemon's ack, expiry or refusal of it goes to the peer's controller. */
  private sendSignal(peerId: string, signal: OutgoingSignal): boolean {
    const { kind, session } = signal;
    return this.client.track(
      's',
      (ref) => ({ type: 'signal', ref, to: peerId, kind, session, payload: signal.payload, ttlMs: signal.ttlMs }),
      (reply) => {
        const controller = this.controllers.get(peerId);
        switch (reply.type) {
          case 'ack':
            controller?.signalQueued(kind, session, reply.peerOnline);
            return false;
          case 'expired':
            controller?.signalExpired(kind, session, reply.error);
            return true;
          case 'error':
            controller?.signalRefused(kind, session, reply.error);
            return true;
          default:
            return true; // delivered
        }
      },
    );
  }

  private requestIceServers(peerId: string): Promise<IceServer[]> {
    return this.client.request(
      'i',
      (ref) => ({ type: 'ice_servers', peer: peerId, ref }),
      (reply) => (reply.type === 'ice_servers' ? reply.iceServers : undefined),
      this.options.iceServersTimeoutMs ?? 3_000,
    );
  }

  private notice(text: string): void {
    this.notices = [...this.notices, text].slice(-3);
  }

  private changed(): void {
    this.snapshot = null;
    this.changes.emit();
  }
}

function isView(view: PeerView | undefined): view is PeerView {
  return view !== undefined;
}

function placeholderPeer(id: string, name: string): Peer {
  return { id, name, addresses: [], online: true, sources: [], lastSeen: 0, lastConnected: 0, verified: true, outdated: false, firstSeen: 0, confirmed: false };
}
