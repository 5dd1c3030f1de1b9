// Placeholder UI: shows this daemon and its peers (polling; the real UI gets pushes over a WebSocket).
const $ = (id) => document.getElementById(id);

function say(text) { $('status').textContent = text; }

async function api(path, options = {}) {
  const response = await fetch(path, { headers: { 'Content-Type': 'application/json' }, ...options });
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(body && body.error ? body.error : `HTTP ${response.status}`);
  return body;
}

function renderPeers(peers) {
  const list = $('peers');
  list.replaceChildren(...peers.map((peer) => {
    const item = document.createElement('li');
    const left = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = peer.name;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = `${peer.addresses.join(', ')} · found by ${peer.sources.join(', ')}`;
    left.append(name, meta);
    const state = document.createElement('span');
    state.className = peer.online ? 'online' : 'offline';
    state.textContent = peer.online ? 'Online' : 'Offline';
    item.append(left, state);
    return item;
  }));
  $('empty').hidden = peers.length > 0;
}

async function refresh() {
  try {
    const self = await api('/api/health');
    $('self').textContent = `This machine: ${self.name} (id ${self.id.slice(0, 7)})`;
    renderPeers(await api('/api/peers'));
  } catch (error) {
    $('self').textContent = 'The PeerDrop daemon on this machine does not answer. Is peerdropd still running?';
  }
}

$('add').addEventListener('submit', async (event) => {
  event.preventDefault();
  say('Looking for PeerDrop at that address…');
  try {
    const peer = await api('/api/peers', { method: 'POST', body: JSON.stringify({ address: $('address').value }) });
    say(`Added ${peer.name}.`);
    $('address').value = '';
    refresh();
  } catch (error) { say(error.message); }
});

$('scan').addEventListener('click', async () => {
  try { await api('/api/scan', { method: 'POST' }); say('Scanning the local network…'); } catch (error) { say(error.message); }
});

refresh();
setInterval(refresh, 2000);
