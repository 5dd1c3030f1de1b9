// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerCard } from '../../src/components/PeerCard';
import { PeerList } from '../../src/components/PeerList';
import { SelfCard } from '../../src/components/SelfCard';
import { VerificationPanel } from '../../src/components/VerificationPanel';
import type { Peer } from '../../src/daemon/protocol';
import type { PeerView } from '../../src/peer/PeerController';
import { peerView } from '../support/peerView';

afterEach(cleanup);

const REAL = 'MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ';
const IMPOSTOR = 'MMG42KLGYQZWNEISKRELXMS3J72BFJE4OMW3FSFLYG4FQG6XCDOQ';
const actions = { connect: vi.fn(), disconnect: vi.fn(), retry: vi.fn(), dismiss: vi.fn(), forget: vi.fn(), select: vi.fn(), debug: vi.fn() };

function view(name: string, peer: Partial<Peer> = {}): PeerView {
  const base = peerView(name, 'idle');
  return { ...base, peer: { ...base.peer, ...peer } };
}

function items(): HTMLElement[] {
  return within(screen.getByRole('list', { name: 'Peers' }))
    .getAllByRole('listitem')
    .filter((li) => li.classList.contains('peer-card'));
}

describe('PeerCard and PeerList: peers you can tell apart', () => {
  it('every card shows its fingerprint, and two devices with one name both carry a warning', () => {
    render(
      <PeerList
        peers={[view('kitchen', { id: REAL }), view('Kitchen ', { id: IMPOSTOR }), view('hall', { id: 'HALLHALLHALLHALL' })]}
        selectedPeerId={null}
        actions={actions}
      />,
    );
    const [real, impostor, hall] = items();
    expect(within(real!).getByText('MZUH VLPY MK6X')).toBeTruthy();
    expect(within(impostor!).getByText('MMG4 2KLG YQZW')).toBeTruthy();
    expect(within(hall!).getByText('HALL HALL HALL')).toBeTruthy();
    for (const card of [real!, impostor!]) {
      expect(within(card).getByRole('note', { name: 'Same name' }).textContent).toMatch(
        /^Two devices are named \u201ckitchen\u201d\. To tell which is which, compare each one\u2019s fingerprint/i,
      );
    }
    expect(within(hall!).queryByRole('note', { name: 'Same name' })).toBeNull();
  });

  it('once one of them is verified, both warnings say which one that is', () => {
    render(
      <PeerList
        peers={[view('kitchen', { id: REAL, confirmed: true }), view('kitchen', { id: IMPOSTOR })]}
        selectedPeerId={null}
        actions={actions}
      />,
    );
    const [real, impostor] = items();
    expect(within(real!).getByText('Verified \u2713')).toBeTruthy();
    expect(within(impostor!).queryByText('Verified \u2713')).toBeNull();
    expect(within(real!).getByRole('note', { name: 'Same name' }).textContent).toContain(
      'This one (fingerprint MZUH VLPY MK6X) is the one you verified',
    );
    expect(within(impostor!).getByRole('note', { name: 'Same name' }).textContent).toContain(
      'This one is not the kitchen you verified (that one has fingerprint MZUH VLPY MK6X)',
    );
  });

  it('a peer that uses this computer\u2019s own name is marked as another device', () => {
    render(
      <PeerList peers={[view('Kitchen', { id: IMPOSTOR }), view('hall', { id: 'HALLHALLHALLHALL' })]} selectedPeerId={null} actions={actions} selfName="kitchen" />,
    );
    const [impostor, hall] = items();
    expect(within(impostor!).getByRole('note', { name: 'Same name as this computer' }).textContent).toBe(
      'This device calls itself \u201cKitchen\u201d, as this computer does, but it is another device (fingerprint MMG4 2KLG YQZW). ' +
        'Connect to it only if you know whose it is.',
    );
    expect(within(hall!).queryByRole('note', { name: 'Same name as this computer' })).toBeNull();
  });

  it('marks a peer first seen today as new, and no other', () => {
    const now = new Date(2025, 5, 10, 18, 0).getTime();
    const card = (firstSeen: number) => {
      cleanup();
      render(
        <ul aria-label="Peers">
          <PeerCard view={view('kitchen', { firstSeen })} selected={false} now={now} actions={actions} />
        </ul>,
      );
      return screen.queryByText('New today');
    };
    expect(card(new Date(2025, 5, 10, 8, 0).getTime())).toBeTruthy();
    expect(card(new Date(2025, 5, 9, 20, 0).getTime())).toBeNull();
    expect(card(0)).toBeNull();
  });
});

describe('SelfCard: this computer\u2019s fingerprint', () => {
  it('shows the fingerprint other computers show on its card', () => {
    render(<SelfCard self={{ id: REAL, name: 'kitchen', version: '0.1.0', port: 3001, discoveryPort: 3001 }} canRename={false} onRename={vi.fn()} />);
    const card = screen.getByRole('region', { name: 'This computer' });
    expect(card.textContent).toContain('fingerprint MZUH VLPY MK6X');
  });
});

describe('VerificationPanel', () => {
  const bob = (extra: Partial<Peer> = {}): Peer => ({ ...peerView('Bob', 'idle').peer, id: REAL, verificationCode: '054631', ...extra });

  it('shows the code, says how to compare it, and marks the peer verified', async () => {
    const onSetConfirmed = vi.fn(async () => null);
    render(<VerificationPanel peer={bob()} selfName="Alice" onSetConfirmed={onSetConfirmed} />);
    const panel = screen.getByRole('region', { name: 'Verify Bob' });
    expect(within(panel).getByLabelText('Verification code').textContent).toBe('054 631');
    expect(panel.textContent).toContain('Open PeerDrop on Bob and select \u201cAlice\u201d there');
    fireEvent.click(within(panel).getByRole('button', { name: 'Mark as verified' }));
    expect(onSetConfirmed).toHaveBeenCalledWith(true);
    await waitFor(() => expect(within(panel).getByRole('button', { name: 'Mark as verified' }).hasAttribute('disabled')).toBe(false));
  });

  it('a verified peer says so and can be taken back', () => {
    const onSetConfirmed = vi.fn(async () => null);
    render(<VerificationPanel peer={bob({ confirmed: true })} selfName="Alice" onSetConfirmed={onSetConfirmed} />);
    const panel = screen.getByRole('region', { name: 'Verify Bob' });
    expect(within(panel).getByText('Verified \u2713')).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: 'Mark as verified' })).toBeNull();
    fireEvent.click(within(panel).getByRole('button', { name: 'Remove verification' }));
    expect(onSetConfirmed).toHaveBeenCalledWith(false);
  });

  it('without a code there is nothing to mark; a refusal is shown', async () => {
    render(<VerificationPanel peer={bob({ verificationCode: undefined })} selfName="Alice" onSetConfirmed={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Mark as verified' })).toBeNull();
    expect(screen.getByRole('region', { name: 'Verify Bob' }).textContent).toContain('No verification code yet');
    cleanup();
    render(<VerificationPanel peer={bob()} selfName="Alice" onSetConfirmed={async () => 'Could not save it: PeerDrop on this computer does not answer.'} />);
    fireEvent.click(screen.getByRole('button', { name: 'Mark as verified' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not save it: PeerDrop on this computer does not answer.');
  });
});
