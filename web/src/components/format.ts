// Times and lists as a person reads them.

export function relativeTime(ms: number, now: number): string {
  if (!ms) return 'never';
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 7) return `${days} d ago`;
  return new Date(ms).toLocaleDateString();
}

export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const SOURCE_WORDS: Record<string, string> = {
  broadcast: 'broadcast',
  scan: 'network scan',
  manual: 'added by address',
  inbound: 'it contacted us',
  persisted: 'remembered',
};

export function sourcesText(sources: readonly string[]): string {
  if (sources.length === 0) return 'unknown';
  return sources.map((s) => SOURCE_WORDS[s] ?? s).join(', ');
}

/** 1536 → "1.5 KB" (binary multiples, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatSpeed(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '' : `${formatBytes(Math.max(0, bytesPerSecond))}/s`;
}

/** Seconds left as "about 3 min", "12 s". */
export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'less than a second left';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  return `about ${hours} h ${minutes % 60} min left`;
}

/**
 * A name from a peer as it may be shown: without the characters the daemon
 * removes from names it stores (core/utf8.hpp, is_unsafe_in_name): C0 and C1
 * controls, DEL, and the bidi overrides and isolates that make
 * "photo\u202Egpj.exe" read as "photoexe.jpg". A lone surrogate shows as U+FFFD.
 */
export function displayName(name: string): string {
  return name
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
