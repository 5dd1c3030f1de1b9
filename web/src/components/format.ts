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
