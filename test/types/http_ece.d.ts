/** The part of http_ece (Encrypted Content-Encoding for HTTP, RFC 8188/8291) the tests use. */
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  export type DecryptParams = {
    version?: 'aes128gcm' | 'aesgcm' | 'aesgcm128';
    /** The receiver's key pair (the browser's, for web push). */
    privateKey?: ECDH;
    /** The web push auth secret (URL-safe base64 or bytes). */
    authSecret?: string | Buffer;
  };

  export function decrypt(buffer: Buffer, params: DecryptParams): Buffer;
}
