import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { AppController } from '../app/AppController';
import { ApiError } from '../daemon/api';
import type { Settings } from '../daemon/protocol';
import { fieldOf, type FieldErrors } from '../settings/validate';
import { effectiveTheme, loadTheme, nextTheme, saveTheme, type ThemeChoice } from '../settings/theme';
import { AddPeerForm } from './AddPeerForm';
import { ConnectionRequestDialog } from './ConnectionRequestDialog';
import { FileRequestDialog } from './FileRequestDialog';
import { ReceivedFiles } from './ReceivedFiles';
import type { TransferActions } from './TransferPanel';
import { useNow } from './useNow';
import { DaemonStatusBanner } from './DaemonStatusBanner';
import { PeerDetail } from './PeerDetail';
import { PeerList } from './PeerList';
import type { PeerCardActions } from './PeerCard';
import { SelfCard } from './SelfCard';
import { SettingsPanel } from './SettingsPanel';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function useSystemDark(): boolean {
  const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const listener = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener('change', listener);
    return () => query.removeEventListener('change', listener);
  }, [query]);
  return dark;
}

function problemText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function App({ controller }: { controller: AppController }) {
  const snapshot = useSyncExternalStore(controller.subscribe, controller.getSnapshot);
  const [showSettings, setShowSettings] = useState(false);
  /** The peer whose debug panel is open (its card's Debug button, or the panel's own summary). */
  const [debugPeerId, setDebugPeerId] = useState<string | null>(null);
  const [theme, setTheme] = useState<ThemeChoice>(() => loadTheme(storage()));
  const systemDark = useSystemDark();
  const shownTheme = effectiveTheme(theme, systemDark);

  useEffect(() => {
    document.documentElement.dataset.theme = shownTheme;
  }, [shownTheme]);

  // The selected peer's messages daemon to daemon: fetched when it is picked, and read.
  const selectedPeerId = snapshot.selectedPeerId;
  useEffect(() => {
    if (selectedPeerId) void controller.openConversation(selectedPeerId);
  }, [controller, selectedPeerId]);

  useEffect(() => {
    const self = snapshot.self;
    document.title = self ? `PeerDrop \u2013 ${self.name}` : 'PeerDrop';
  }, [snapshot.self]);

  const toggleTheme = () => {
    const next = nextTheme(theme, systemDark);
    saveTheme(storage(), next);
    setTheme(next);
  };

  const forget = useCallback(
    async (id: string) => {
      try {
        await controller.api.forgetPeer(id);
        controller.forgotten(id);
      } catch (error) {
        controller.peer(id)?.reportProblem(`Could not forget this peer: ${problemText(error)}`);
      }
    },
    [controller],
  );

  const actions: PeerCardActions = useMemo(
    () => ({
      connect: (id) => controller.connect(id),
      disconnect: (id) => controller.peer(id)?.disconnect(),
      retry: (id) => {
        controller.select(id);
        controller.peer(id)?.retry();
      },
      dismiss: (id) => controller.peer(id)?.dismiss(),
      forget: (id) => void forget(id),
      select: (id) => controller.select(id),
      debug: (id) => {
        const shown = controller.getSnapshot().selectedPeerId === id;
        controller.select(id);
        setDebugPeerId((open) => (open === id && shown ? null : id));
      },
      sendFiles: (id, files) => {
        controller.select(id);
        void controller.sendOverLane(id, files);
      },
    }),
    [controller, forget],
  );

  const transferActions: TransferActions = useMemo(
    () => ({
      send: (peerId, files) => controller.sendFromDetail(peerId, files),
      cancel: (tid) => controller.cancelTransfer(tid),
      dismiss: (tid) => controller.dismissTransfer(tid),
      reselect: (tid, files) => controller.reselectFiles(tid, files),
      setAutoAccept: (peerId, on) => {
        controller.setAutoAccept(peerId, on).catch((error: unknown) => {
          controller.peer(peerId)?.reportProblem(`Could not save “always accept”: ${problemText(error)}`);
        });
      },
    }),
    [controller],
  );
  const now = useNow(30_000);

  const saveSettings = async (settings: Settings): Promise<{ errors: FieldErrors; message: string | null }> => {
    try {
      controller.applySettings(await controller.api.putSettings(settings));
      return { errors: {}, message: null };
    } catch (error) {
      if (error instanceof ApiError) {
        const field = fieldOf(error.field);
        return { errors: field ? { [field]: error.message } : {}, message: field ? 'Please correct the marked field.' : error.message };
      }
      return { errors: {}, message: problemText(error) };
    }
  };

  const rename = async (name: string): Promise<string | null> => {
    if (!name) return 'Give this computer a name.';
    try {
      controller.applySettings(await controller.api.putSettings({ name }));
      return null;
    } catch (error) {
      return problemText(error);
    }
  };

  const setConfirmed = async (id: string, confirmed: boolean): Promise<string | null> => {
    try {
      controller.peerChanged(await controller.api.setConfirmed(id, confirmed));
      return null;
    } catch (error) {
      return `Could not save it: ${problemText(error)}`;
    }
  };

  const sendMessage = async (id: string, text: string): Promise<string | null> => {
    try {
      await controller.sendMessage(id, text);
      return null;
    } catch (error) {
      return `Not sent: ${problemText(error)}`;
    }
  };

  const addPeer = async (address: string): Promise<string | null> => {
    try {
      await controller.api.addPeer(address);
      return null;
    } catch (error) {
      return problemText(error);
    }
  };

  const scan = async (): Promise<string | null> => {
    try {
      controller.setScan(await controller.api.scan());
      const poll = async (left: number) => {
        const status = await controller.api.getScan().catch(() => null);
        controller.setScan(status);
        if (status?.running && left > 0) setTimeout(() => void poll(left - 1), 1000);
      };
      setTimeout(() => void poll(30), 1000);
      return null;
    } catch (error) {
      return problemText(error);
    }
  };

  const selected = snapshot.peers.find((p) => p.peer.id === snapshot.selectedPeerId) ?? null;
  const selectedController = selected ? controller.peer(selected.peer.id) : undefined;
  const request = snapshot.incoming[0] ?? null;
  const fileOffer = request ? null : (snapshot.fileOffers[0] ?? null);
  const peerName = (id: string) => snapshot.peers.find((p) => p.peer.id === id)?.peer.name ?? id.slice(0, 8);
  const autoAcceptList = snapshot.settings?.autoAccept;

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            {'\u2B07'}
          </span>
          <h1>PeerDrop</h1>
        </div>
        <nav className="topbar-actions" aria-label="Page">
          <button type="button" className="ghost" onClick={toggleTheme} aria-pressed={shownTheme === 'dark'}>
            Dark theme
          </button>
          <button type="button" className="ghost" onClick={() => setShowSettings((v) => !v)} aria-expanded={showSettings}>
            Settings
          </button>
        </nav>
      </header>
      <DaemonStatusBanner status={snapshot.daemon} keyRefused={snapshot.keyRefused} />
      {snapshot.notices.map((n, i) => (
        <div key={i} className="banner banner-error" role="alert">
          {n}
        </div>
      ))}
      {snapshot.laneNotes.map((n, i) => (
        <div key={`lane-${i}`} className="banner" role="status">
          {n}
        </div>
      ))}
      <main className="layout">
        <div className="column-list">
          <SelfCard self={snapshot.self} relay={snapshot.relay} canRename={snapshot.settingsAvailable} onRename={rename} />
          {showSettings && (
            <SettingsPanel
              settings={snapshot.settings}
              available={snapshot.settingsAvailable}
              onSave={saveSettings}
              onClose={() => setShowSettings(false)}
            />
          )}
          <AddPeerForm onAdd={addPeer} onScan={scan} scan={snapshot.scan} />
          <PeerList
            peers={snapshot.peers}
            selectedPeerId={snapshot.selectedPeerId}
            actions={actions}
            debugPeerId={debugPeerId === snapshot.selectedPeerId ? debugPeerId : null}
            selfName={snapshot.self?.name ?? null}
            unreadMessages={snapshot.unreadMessages}
          />
          <ReceivedFiles
            files={snapshot.receivedFiles}
            downloadDir={snapshot.settings?.downloadDir ?? null}
            peerName={peerName}
            downloadUrl={(name) => controller.downloadUrl(name)}
            now={now}
          />
        </div>
        <div className="column-detail">
          {selected && selectedController ? (
            <PeerDetail
              view={selected}
              controller={selectedController}
              transfers={snapshot.transfers.filter((t) => t.peerId === selected.peer.id)}
              transferActions={transferActions}
              autoAccept={autoAcceptList ? autoAcceptList.includes(selected.peer.id) : null}
              debugOpen={debugPeerId === selected.peer.id}
              selfName={snapshot.self?.name ?? null}
              onSetConfirmed={(confirmed) => setConfirmed(selected.peer.id, confirmed)}
              messages={snapshot.conversations[selected.peer.id] ?? []}
              onSendMessage={(text) => sendMessage(selected.peer.id, text)}
              onDebugToggle={(open) => {
                const id = selected.peer.id;
                setDebugPeerId((current) => (open ? id : current === id ? null : current));
              }}
            />
          ) : (
            <section className="card detail placeholder-detail">
              <p className="muted">Pick a peer to see its connection and messages.</p>
            </section>
          )}
        </div>
      </main>
      {request && (
        <ConnectionRequestDialog
          key={request.peer.id}
          peerName={request.incoming?.name ?? request.peer.name}
          peerId={request.peer.id}
          onAccept={() => controller.accept(request.peer.id)}
          onDecline={() => controller.peer(request.peer.id)?.decline()}
        />
      )}
      {fileOffer && (
        <FileRequestDialog
          key={fileOffer.tid}
          offer={fileOffer}
          onAccept={(always) => {
            controller.select(fileOffer.peerId);
            controller.acceptFiles(fileOffer.tid, always);
          }}
          onDecline={() => controller.declineFiles(fileOffer.tid)}
        />
      )}
    </div>
  );
}
