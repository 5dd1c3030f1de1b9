import { describe, expect, it } from 'vitest';
import { ChatSession } from '../../src/chat/ChatSession';
import { encodeControlMessage, parseControlMessage, type ControlMessage } from '../../src/chat/controlProtocol';
import { realTimers, type Timers } from '../../src/util/timers';

const clock = (start = 1_764_000_000_000): Timers & { t: number } => {
  const c = { ...realTimers, t: start, now: () => c.t };
  return c;
};

/** A chat whose channel can be opened/closed; frames land in `wire`. */
function chat(prefix = 'm') {
  let n = 0;
  const wire: ControlMessage[] = [];
  let open = false;
  const session = new ChatSession({
    send: (frame) => {
      if (!open) return false;
      wire.push(parseControlMessage(frame)!);
      return true;
    },
    timers: clock(),
    createId: () => `${prefix}${++n}`,
  });
  return {
    session,
    wire,
    setOpen: (v: boolean) => (open = v),
    status: () => session.messages.map((m) => `${m.id}:${m.status}`),
  };
}

describe('chat protocol', () => {
  it('a sent message goes out as chat with id, text and time, and is delivered on ack', () => {
    const a = chat();
    a.setOpen(true);
    a.session.connectionUp();
    a.session.send('hi Bob');
    expect(a.wire).toEqual([{ t: 'chat', id: 'm1', text: 'hi Bob', sentAt: 1_764_000_000_000 }]);
    expect(a.status()).toEqual(['m1:sending']);
    a.session.receive({ t: 'chat_ack', id: 'm1' });
    expect(a.status()).toEqual(['m1:delivered']);
  });

  it('blank messages are not sent; trailing whitespace is trimmed', () => {
    const a = chat();
    expect(a.session.send('   \n')).toBeNull();
    expect(a.session.send('x  \n')?.text).toBe('x');
  });

  it('the receiver acks every copy but shows a message once', () => {
    const b = chat('b');
    b.setOpen(true);
    const msg: ControlMessage = { t: 'chat', id: 'm1', text: 'hi', sentAt: 5 };
    b.session.receive(msg);
    b.session.receive(msg);
    expect(b.session.messages).toHaveLength(1);
    expect(b.session.messages[0]).toMatchObject({ direction: 'in', text: 'hi', sentAt: 5, status: 'received' });
    expect(b.wire).toEqual([
      { t: 'chat_ack', id: 'm1' },
      { t: 'chat_ack', id: 'm1' },
    ]);
  });

  it('messages typed while the connection is not up are sent when it comes up', () => {
    const a = chat();
    a.session.send('one');
    a.session.send('two');
    expect(a.wire).toEqual([]);
    a.setOpen(true);
    a.session.connectionUp();
    expect(a.wire.map((m) => (m.t === 'chat' ? m.text : m.t))).toEqual(['one', 'two']);
  });

  it('unacknowledged messages are sent again after a reconnect (ICE restart); the peer dedups', () => {
    const a = chat();
    const b = chat('b');
    a.setOpen(true);
    b.setOpen(true);
    a.session.connectionUp();
    a.session.send('during the outage');
    // Lost on the way: b never saw it. The connection recovers:
    a.session.connectionUp();
    const copies = a.wire.filter((m) => m.t === 'chat');
    expect(copies).toHaveLength(2);
    expect(copies[0]).toEqual(copies[1]);
    for (const m of copies) b.session.receive(m);
    expect(b.session.messages).toHaveLength(1);
    for (const ack of b.wire) a.session.receive(ack);
    expect(a.status()).toEqual(['m1:delivered']);
    // Delivered ones are not sent again.
    a.session.connectionUp();
    expect(a.wire.filter((m) => m.t === 'chat')).toHaveLength(2);
  });

  it('a connection gone for good fails what is unacknowledged; try again and the next connection resend', () => {
    const a = chat();
    a.setOpen(true);
    a.session.connectionUp();
    a.session.send('acked');
    a.session.receive({ t: 'chat_ack', id: 'm1' });
    a.session.send('lost');
    a.setOpen(false);
    a.session.connectionDown();
    expect(a.status()).toEqual(['m1:delivered', 'm2:failed']);
    a.session.resend('m2');
    expect(a.status()).toEqual(['m1:delivered', 'm2:sending']);
    a.session.connectionDown();
    expect(a.status()).toEqual(['m1:delivered', 'm2:failed']);
    a.setOpen(true);
    a.session.connectionUp();
    expect(a.status()).toEqual(['m1:delivered', 'm2:sending']);
    expect(a.wire.filter((m) => m.t === 'chat' && m.id === 'm2')).toHaveLength(2);
  });

  it('acks for unknown or incoming ids change nothing', () => {
    const a = chat();
    let changes = 0;
    a.session.onChange(() => changes++);
    a.session.receive({ t: 'chat_ack', id: 'nope' });
    expect(changes).toBe(0);
  });
});

describe('control messages', () => {
  it('parses the three kinds and refuses the rest', () => {
    expect(parseControlMessage('{"t":"hello","v":1,"name":"Alice"}')).toEqual({ t: 'hello', v: 1, name: 'Alice' });
    expect(parseControlMessage('{"t":"chat","id":"x","text":"hi","sentAt":1}')).toEqual({ t: 'chat', id: 'x', text: 'hi', sentAt: 1 });
    expect(parseControlMessage('{"t":"chat_ack","id":"x"}')).toEqual({ t: 'chat_ack', id: 'x' });
    for (const bad of ['', 'null', '[]', '{"t":"file"}', '{"t":"chat","id":"","text":"a","sentAt":1}', '{"t":"chat","id":"x","text":5,"sentAt":1}', '{"t":"chat_ack"}', `{"t":"chat","id":"${'x'.repeat(65)}","text":"a","sentAt":1}`]) {
      expect(parseControlMessage(bad), bad).toBeNull();
    }
  });

  it('round-trips through encode', () => {
    const m: ControlMessage = { t: 'chat', id: 'id-1', text: 'ünïcode ✓', sentAt: 42 };
    expect(parseControlMessage(encodeControlMessage(m))).toEqual(m);
  });
});
