import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DaemonSocket } from '../../src/daemon/DaemonSocket';
import { DaemonFileError, DaemonFiles, type DaemonFileEvent } from '../../src/transfer/DaemonFiles';
import { encodeDaemonFrame } from '../../src/transfer/wire';
import { FakeWebSocket, fakeSocketFactory } from '../support/fakeSocket';

function setup() {
  const socket = new DaemonSocket({ url: 'ws://127.0.0.1:3001/ws', createSocket: fakeSocketFactory() });
  const files = new DaemonFiles(socket);
  const events: DaemonFileEvent[] = [];
  files.on((e) => events.push(e));
  socket.onMessage((m) => files.handle(m));
  socket.start();
  const ws = FakeWebSocket.instances.at(-1)!;
  ws.serverOpen();
  ws.serverSend({ type: 'welcome', protocol: 1, self: { id: 'S', name: 'Bob', version: '0', port: 1, discoveryPort: 1 } });
  return { socket, files, events, ws };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('DaemonFiles', () => {
  it('file_open goes out with a ref and resolves with the matching file_opened', async () => {
    const { files, ws, events } = setup();
    expect(events).toEqual([{ type: 'up' }]);
    const opened = files.open({ peer: 'ALICE', tid: 'T'.repeat(22), i: 0, path: 'a.txt', size: 5 });
    const request = ws.sentMessages()[0]!;
    expect(request).toEqual({ type: 'file_open', ref: 'f1', peer: 'ALICE', tid: 'T'.repeat(22), i: 0, path: 'a.txt', size: 5 });
    ws.serverSend({ type: 'file_opened', ref: 'f1', tid: 'T'.repeat(22), i: 0, handle: 7, offset: 3, name: 'a.txt' });
    await expect(opened).resolves.toMatchObject({ handle: 7, offset: 3, name: 'a.txt' });
  });

  it('an error with the ref rejects with its code; an error with a handle is a frame error', async () => {
    const { files, ws, events } = setup();
    const opened = files.open({ peer: 'ALICE', tid: 'T'.repeat(22), i: 0, path: '..', size: 5 });
    ws.serverSend({ type: 'error', ref: 'f1', code: 'bad_name', error: 'the name is not allowed' });
    await expect(opened).rejects.toMatchObject({ code: 'bad_name' });
    ws.serverSend({ type: 'error', code: 'out_of_order', error: 'gap', handle: 7 });
    expect(events.at(-1)).toEqual({ type: 'frameError', handle: 7, code: 'out_of_order', error: 'gap' });
    ws.serverSend({ type: 'file_progress', tid: 'T'.repeat(22), i: 0, received: 10, durable: 8 });
    expect(events.at(-1)).toMatchObject({ type: 'progress', message: { durable: 8, received: 10 } });
  });

  it('binary frames go out as they are; a lost connection fails what is pending and says down', async () => {
    const { files, ws, events, socket } = setup();
    const frame = encodeDaemonFrame(7, 0, new Uint8Array([1, 2, 3]));
    expect(files.sendBinary(frame)).toBe(true);
    expect(ws.sent.at(-1)).toBe(frame);
    const finishing = files.finish({ handle: 7, size: 3, sha256: 'a'.repeat(64) });
    const connection = files.connection;
    ws.serverClose();
    await expect(finishing).rejects.toBeInstanceOf(DaemonFileError);
    expect(events.at(-1)).toEqual({ type: 'down' });
    expect(files.ready).toBe(false);
    expect(files.sendBinary(frame)).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    FakeWebSocket.instances.at(-1)!.serverOpen();
    expect(files.connection).toBe(connection + 1);
    socket.stop();
  });
});
