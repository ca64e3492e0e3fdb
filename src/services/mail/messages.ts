/**
 * The emails the product sends about an account, each as plain text and HTML with the same
 * words. Links come from better-auth and point at this deployment's PUBLIC_URL.
 */
import type { MailMessage } from '../../mail/mailer';

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

type Recipient = { email: string; name?: string | null };

/** One short message: a greeting, paragraphs, one button-like link, and a closing line. */
export function compose(
  to: Recipient,
  subject: string,
  paragraphs: string[],
  link: { label: string; url: string },
  footer: string,
): MailMessage {
  const greeting = to.name ? `Hello ${to.name},` : 'Hello,';
  const text = [
    greeting,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    `${link.label}: ${link.url}`,
    '',
    footer,
  ].join('\n');
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
    `<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>`,
  ].join('\n');
  return { to: to.email, subject, text, html };
}

export function verificationMail(to: Recipient, url: string, validForHours: number): MailMessage {
  return compose(
    to,
    'Confirm your email address for Alertsify',
    [
      'Please confirm that this is your email address. Until you do, you can trade and follow traders, but you cannot become a trader yourself.',
      `The link works once and for ${validForHours} hour${validForHours === 1 ? '' : 's'}.`,
    ],
    { label: 'Confirm my email address', url },
    'If you did not sign up for Alertsify, ignore this email.',
  );
}

export function passwordResetMail(to: Recipient, url: string, validForHours: number): MailMessage {
  return compose(
    to,
    'Reset your Alertsify password',
    [
      'Someone (we hope you) asked to reset the password of your Alertsify account.',
      `The link works once and for ${validForHours} hour${validForHours === 1 ? '' : 's'}. Setting a new password signs you out everywhere.`,
    ],
    { label: 'Choose a new password', url },
    'If you did not ask for this, ignore this email: your password stays as it is.',
  );
}
