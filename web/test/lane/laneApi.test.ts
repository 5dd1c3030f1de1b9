import { describe, expect, it, vi } from 'vitest';
import { LaneApi, LaneApiError } from '../../src/daemon/laneApi';
import { wireTransfer, laneTransfer } from '../support/fakeLane';

function fakeFetch(responses: Response[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetcher = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new TypeError('Failed to fetch');
    return next;
  });
  return { fetcher, calls };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('LaneApi: the calls the page makes', () => {
  it('POST /api/transfers with the files, the Bearer token; the 201 transfer with its files', async () => {
    const answer = wireTransfer({ ...laneTransfer({ state: 'offered', source: 'page' }), files: [{ index: 0, path: 'a/b.txt', size: 100, uploaded: 0 }] });
    const { fetcher, calls } = fakeFetch([json(answer, 201)]);
    const api = new LaneApi(fetcher, 'TOKEN');
    const t = await api.send('BOBID', [{ path: 'a/b.txt', size: 100, lastModified: 5 }]);
    expect(t.tid).toBe('t1');
    expect(t.files).toEqual([{ index: 0, path: 'a/b.txt', size: 100, uploaded: 0 }]);
    expect(calls[0]!.url).toBe('/api/transfers');
    expect(calls[0]!.init.method).toBe('POST');
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer TOKEN');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ to: 'BOBID', files: [{ path: 'a/b.txt', size: 100, lastModified: 5 }] });
  });

  it('PUT …/files/INDEX?offset=N with the Blob itself as the body: 204 done, 409 offset', async () => {
    const { fetcher, calls } = fakeFetch([new Response(null, { status: 204 }), json({ code: 'offset', uploaded: 42, error: 'holds 42' }, 409)]);
    const api = new LaneApi(fetcher, 'TOKEN');
    const blob = new Blob([new Uint8Array(10)]);
    expect(await api.upload('t1', 3, 7, blob)).toEqual({ type: 'done' });
    expect(calls[0]!.url).toBe('/api/transfers/t1/files/3?offset=7');
    expect(calls[0]!.init.method).toBe('PUT');
    expect(calls[0]!.init.body).toBe(blob);
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer TOKEN');
    expect(await api.upload('t1', 3, 0, blob)).toEqual({ type: 'offset', uploaded: 42 });
  });

  it('errors: a network failure is status 0; a refusal carries the daemon\u2019s code and sentence; an abort stays an abort', async () => {
    const { fetcher } = fakeFetch([json({ code: 'not_found', error: 'there is no such transfer or offer' }, 404), json({ code: 'offset' }, 409)]);
    const api = new LaneApi(fetcher);
    await expect(api.answer('t9', true)).rejects.toMatchObject({ status: 404, code: 'not_found', message: 'There is no such transfer or offer' });
    // A 409 without a usable offset is an error, not a resume point.
    await expect(api.upload('t9', 0, 0, new Blob([]))).rejects.toBeInstanceOf(LaneApiError);
    await expect(api.cancel('t9')).rejects.toMatchObject({ status: 0, code: 'network' });
    const controller = new AbortController();
    controller.abort();
    const aborting = new LaneApi(async () => {
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(aborting.upload('t', 0, 0, new Blob([]), controller.signal)).rejects.toBeInstanceOf(DOMException);
  });

  it('answers say they come from a tab; cancel is DELETE; tids are escaped', async () => {
    const { fetcher, calls } = fakeFetch([new Response(null, { status: 204 }), new Response(null, { status: 204 }), new Response(null, { status: 204 })]);
    const api = new LaneApi(fetcher);
    await api.answer('t1', true);
    await api.answer('t1', false);
    await api.cancel('a/b');
    expect(calls.map((c) => `${c.init.method} ${c.url} ${c.init.body ?? ''}`)).toEqual([
      'POST /api/offers/t1/accept {"via":"tab"}',
      'POST /api/offers/t1/decline {"via":"tab"}',
      'DELETE /api/transfers/a%2Fb ',
    ]);
  });

  it('a transfer the page cannot read is an error', async () => {
    const { fetcher } = fakeFetch([json({ tid: 't1' }, 200)]);
    await expect(new LaneApi(fetcher).get('t1')).rejects.toMatchObject({ code: 'bad_answer' });
  });
});
