// What a transfer needs of a data channel: an RTCDataChannel in the browser
// (PeerSession's channels fit it), a fake one in tests. Declared here so that
// transfer/ does not depend on rtc/.

export interface FileChannel {
  readonly label: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  /** 'bufferedamountlow' fires when bufferedAmount falls to this. */
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onbufferedamountlow: ((event: unknown) => void) | null;
}
