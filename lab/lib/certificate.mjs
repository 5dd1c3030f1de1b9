// X.509 certificates for daemon-channel clients, made with Debian's openssl
// command (package openssl), and `openssl s_client` from inside a lab host.
// A daemon presents a self-signed certificate whose key is its Ed25519
// identity key; a lab client does the same with a key it chooses (a
// ForgedSignaler's, or a fresh one), or deliberately not: expired, or with a
// key of another type.
//
//   const cert = await makeCertificate(dir, { privateKey });          // valid for a day
//   const old = await makeCertificate(dir, { notBefore: '20000101000000Z', notAfter: '20000102000000Z' });
//   const ec = await makeCertificate(dir, { keyType: 'ec' });          // P-256: not an identity
//   const res = await opensslClient(x, b, { certificate: cert, input });

import crypto from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommandError, run } from './exec.mjs';
import { missingToolsReason } from './preflight.mjs';

const kOpenssl = '/usr/bin/openssl';

function requireOpenssl() {
  const missing = missingToolsReason([kOpenssl], "Debian's openssl");
  if (missing) throw new Error(missing);
}

let certificateSequence = 0;

// `openssl ca` sets any validity period (`openssl req -x509` only counts days from now).
const caConfig = (folder) => `[ca]
default_ca = lab
[lab]
database = ${folder}/index.txt
new_certs_dir = ${folder}
rand_serial = yes
default_md = default
policy = any
[any]
commonName = supplied
`;

/**
 * A self-signed certificate in a fresh folder under `dir`. The key is
 * `privateKey` (a KeyObject), else a new one of `keyType` ('ed25519' or
 * 'ec', P-256). Valid from now for `days`, or from `notBefore` to `notAfter`
 * (openssl's YYYYMMDDHHMMSSZ). Resolves with { keyPem, certPem, dir,
 * publicKey (the raw 32 bytes for Ed25519) }.
 */
export async function makeCertificate(dir, {
  privateKey, keyType = 'ed25519', subject = '/CN=peerdrop-lab', days = 1, notBefore, notAfter,
} = {}) {
  requireOpenssl();
  const key = privateKey ?? (keyType === 'ec'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    : crypto.generateKeyPairSync(keyType).privateKey);
  const folder = path.join(dir, `cert-${++certificateSequence}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = (name) => path.join(folder, name);
  const keyPem = key.export({ format: 'pem', type: 'pkcs8' });
  writeFileSync(file('key.pem'), keyPem, { mode: 0o600 });
  if (notBefore === undefined && notAfter === undefined) {
    await run(['openssl', 'req', '-x509', '-new', '-key', file('key.pem'), '-subj', subject, '-days', String(days),
      '-out', file('cert.pem')]);
  } else {
    writeFileSync(file('ca.cnf'), caConfig(folder));
    writeFileSync(file('index.txt'), '');
    await run(['openssl', 'req', '-new', '-key', file('key.pem'), '-subj', subject, '-out', file('request.csr')]);
    await run(['openssl', 'ca', '-batch', '-notext', '-config', file('ca.cnf'), '-selfsign', '-keyfile', file('key.pem'),
      '-in', file('request.csr'), '-startdate', notBefore, '-enddate', notAfter, '-out', file('cert.pem')]);
  }
  const certPem = readFileSync(file('cert.pem'), 'utf8');
  const publicKey = key.asymmetricKeyType === 'ed25519'
    ? Buffer.from(crypto.createPublicKey(key).export({ format: 'jwk' }).x, 'base64url') : undefined;
  return { keyPem, certPem, dir: folder, keyPath: file('key.pem'), certPath: file('cert.pem'), publicKey };
}

/**
 * `openssl s_client` from `host`'s namespace to `target`'s daemon port
 * (TLS 1.3), with the client certificate `certificate` (from
 * makeCertificate; none if absent) and ALPN `alpn` (none if null). `input`
 * is written once the handshake is done; s_client keeps reading until the
 * daemon closes (-ign_eof), so end `input` with something that makes it
 * close. Resolves with { code, stdout (Buffer), stderr, serverCertPem }:
 * a failed handshake is a result, not an error.
 */
export async function opensslClient(host, target, {
  certificate, alpn = 'peerdrop/2', input = Buffer.alloc(0), timeoutMs = 10_000,
} = {}) {
  requireOpenssl();
  const address = `${target.daemon?.address ?? target.ip}:${target.daemon?.port ?? 3001}`;
  const argv = ['openssl', 's_client', '-connect', address, '-tls1_3', '-ign_eof', '-showcerts'];
  if (alpn) argv.push('-alpn', alpn);
  if (certificate) argv.push('-cert', certificate.certPath, '-key', certificate.keyPath);
  let stdout;
  let stderr = '';
  let code = 0;
  try {
    stdout = await host.exec(argv, { input, timeout: timeoutMs, encoding: 'buffer' });
  } catch (error) {
    if (!(error instanceof CommandError) || error.signal) throw error;
    ({ stdout, stderr, code } = error);
  }
  stdout = Buffer.from(stdout);
  const text = stdout.toString('latin1');
  const serverCertPem = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(text)?.[0];
  return { code, stdout, stderr: String(stderr), text, serverCertPem };
}

/** The raw Ed25519 key of a PEM certificate (undefined for another key type). */
export function ed25519KeyOf(certPem) {
  const key = new crypto.X509Certificate(certPem).publicKey;
  if (key.asymmetricKeyType !== 'ed25519') return undefined;
  return Buffer.from(key.export({ format: 'jwk' }).x, 'base64url');
}
