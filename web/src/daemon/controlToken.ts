// The key to this computer's daemon (its control token). The daemon prints a
// link with it in the fragment (http://127.0.0.1:3001/#token=…), which the
// browser never sends anywhere; the page keeps it in its own origin's storage
// and takes it out of the address bar.

import type { StorageLike } from '../settings/theme';

export const CONTROL_TOKEN_KEY = 'peerdrop.controlToken';

export interface PageUrl {
  hash: string;
  pathname: string;
  search: string;
}

/**
 * The token from the link's fragment (then stored, and the fragment dropped
 * with `replaceUrl`), or the one stored before, or null.
 */
export function takeControlToken(url: PageUrl, replaceUrl: (path: string) => void, storage: StorageLike | null): string | null {
  const fromLink = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
  if (fromLink) {
    try {
      storage?.setItem(CONTROL_TOKEN_KEY, fromLink);
    } catch {
      // Storage refused (private mode): the token lasts for this page.
    }
    replaceUrl(url.pathname + url.search);
    return fromLink;
  }
  try {
    return storage?.getItem(CONTROL_TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}
