/**
 * Sending email: through SMTP (`SMTP_URL`) when configured. Without it, in development and tests
 * mail goes to a local outbox under `DATA_DIR/mail-outbox/` and a log line, so verification and
 * reset work with no set-up; in production email is disabled (said once at start).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config';
import type { Logger } from '../logger';

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
};

export type Mailer = {
  /** smtp: really sent; outbox: written to a local folder; disabled: dropped. */
  kind: 'smtp' | 'outbox' | 'disabled';
  send(message: MailMessage): Promise<void>;
  close(): void;
};

export const OUTBOX_FOLDER = 'mail-outbox';

function smtpMailer(config: Config, url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(message) {
      await transport.sendMail({ from: config.mailFrom, ...message });
    },
    close: () => transport.close(),
  };
}

/** Each message a JSON file (newest last by name) and a log line with its subject and links. */
function outboxMailer(config: Config, log: Logger): Mailer {
  const folder = join(config.dataDir, OUTBOX_FOLDER);
  return {
    kind: 'outbox',
    async send(message) {
      mkdirSync(folder, { recursive: true });
      const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(3).toString('hex')}.json`;
      const file = join(folder, name);
      writeFileSync(file, `${JSON.stringify({ from: config.mailFrom, ...message }, null, 2)}\n`, {
        mode: 0o600,
      });
      const links = message.text.match(/https?:\/\/\S+/g) ?? [];
      log.info(
        { to: message.to, subject: message.subject, links, file },
        'mail written to the development outbox',
      );
    },
    close: () => {},
  };
}

export function createMailer(config: Config, log: Logger): Mailer {
  if (config.smtpUrl) return smtpMailer(config, config.smtpUrl);
  if (config.env !== 'production') return outboxMailer(config, log);
  return {
    kind: 'disabled',
    async send(message) {
      log.warn({ to: message.to, subject: message.subject }, 'email is disabled (no SMTP_URL): not sent');
    },
    close: () => {},
  };
}
