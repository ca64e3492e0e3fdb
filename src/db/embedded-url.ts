/** Credentials of the embedded PostgreSQL (loopback only; the password keeps other local users out). */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'alertsify-embedded';

/** The URL of `database` on an embedded server listening on `port` of this machine. */
export function embeddedUrl(port: number, database = 'postgres'): string {
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(EMBEDDED_PASSWORD)}@127.0.0.1:${port}/${database}`;
}
