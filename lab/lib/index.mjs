// The lab library's public surface.

export { Lab } from './lab.mjs';
export { Host } from './host.mjs';
export { waitFor } from './wait.mjs';
export { findPeer, waitForPeer, waitForRelay } from './peers.mjs';
export { labSuite, labTest, kSubnetA, kSubnetB } from './testing.mjs';
export {
  labUnsupportedReason, labRequired, kSkipBanner, missingToolsReason, netemAvailable, unavailableTest,
} from './preflight.mjs';
export { kDaemonBinary } from './daemon.mjs';
export {
  Kind, Offset, ForgedPeer, base32, decodeAnnouncement, encodeAnnouncement, encodeBody, generateIdentity, peerId, sign,
  kAnnouncementVersion,
} from './announcement.mjs';
export {
  DaemonChannelClient, FrameType, ackFrame, encodeFrame, kMaxFramePayloadBytes, readU64, u64Payload,
} from './daemon_channel.mjs';
export { ed25519KeyOf, makeCertificate, opensslClient } from './certificate.mjs';
export {
  EnvelopeOffset, ForgedSignaler, decodeEnvelope, encodeEnvelope, encodeEnvelopeBody, frameEnvelopes, splitFrames,
  kEnvelopeFlagCannotReachYou,
} from './envelope.mjs';
export { UiClient } from './ui_client.mjs';
export { LabBrowser, browserUnavailableReason, kChromiumBinary, kChromiumArgs } from './browser.mjs';
export { blockNewConnections, cutBetween } from './faults.mjs';
export { Impairment, impairmentUnavailableReason, kNfqDelayBinary } from './impairment.mjs';
export { PeerDropUi, uiScenarioSkip, uiTest, word } from './peerdrop_ui.mjs';
export {
  MemorySampler, TransferUi, compareReceived, dropFiles, kPartialFolder, listFiles, removeLargeFiles, sha256File, writeRandomFile,
} from './peerdrop_files.mjs';
export { connectPair, kConnectMs, putSettings, setUpPair } from './peerdrop_pair.mjs';
