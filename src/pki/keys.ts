import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { webcrypto } from 'node:crypto';

/** A private key ready for @peculiar/x509: the WebCrypto key, how to sign with it, and its public half. */
export interface SigningKey {
  /** The Node key, for checks such as X509Certificate.checkPrivateKey. */
  keyObject: KeyObject;
  cryptoKey: webcrypto.CryptoKey;
  /** Signature algorithm for certificates signed by this key (hash chosen to match the key size). */
  signingAlgorithm: webcrypto.EcdsaParams | webcrypto.Algorithm;
  /** SubjectPublicKeyInfo, DER. */
  publicKeyDer: ArrayBuffer;
  /** True for RSA keys, which (unlike ECDSA) are used for key encipherment in TLS. */
  rsa: boolean;
}

type ImportAlgorithm = webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;

function algorithmsOf(key: KeyObject): { importAs: ImportAlgorithm; sign: webcrypto.EcdsaParams | webcrypto.Algorithm } | undefined {
  if (key.asymmetricKeyType === 'ec') {
    switch (key.asymmetricKeyDetails?.namedCurve) {
      case 'prime256v1':
        return { importAs: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } };
      case 'secp384r1':
        return { importAs: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } };
      default:
        return undefined;
    }
  }
  if (key.asymmetricKeyType === 'rsa') {
    return { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  return undefined;
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

async function toSigningKey(keyObject: KeyObject, source: string): Promise<SigningKey> {
  const algorithms = algorithmsOf(keyObject);
  if (!algorithms) {
    throw new Error(`${source}: unsupported key type ${keyObject.asymmetricKeyType} (want ECDSA P-256/P-384 or RSA)`);
  }
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', toArrayBuffer(pkcs8), algorithms.importAs, false, ['sign']);
  const publicKeyDer = toArrayBuffer(createPublicKey(keyObject).export({ type: 'spki', format: 'der' }));
  return { keyObject, cryptoKey, signingAlgorithm: algorithms.sign, publicKeyDer, rsa: keyObject.asymmetricKeyType === 'rsa' };
}

/** A fresh ECDSA P-256 key (Go's TLS stack and kubectl accept it) and its PKCS#8 PEM. */
export async function generateSigningKey(): Promise<{ pem: string; key: SigningKey }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { pem, key: await toSigningKey(privateKey, 'generated key') };
}

/**
 * Parses a private key PEM (PKCS#8, or the SEC1/PKCS#1 forms other tools write). `source` names the
 * file in the one-line error thrown for anything unparsable.
 */
export async function loadSigningKey(pem: string, source: string): Promise<SigningKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch {
    throw new Error(`${source}: not a valid PEM private key`);
  }
  return toSigningKey(keyObject, source);
}
