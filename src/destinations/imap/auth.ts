/**
 * Who logs in for a mailbox: the login name and secret handed to ImapFlow for each of the
 * three ways an archiver reaches many mailboxes (own password, master user, XOAUTH2 token).
 */
import { ArchiverError } from '../../core/errors.js';
import type { ImapAuthSettings } from './config.js';

/** Fetches a fresh (or cached, still valid) OAuth2 access token for a mailbox. */
export type TokenProvider = (mailbox: string) => Promise<string>;

/** What ImapFlow's `auth` option takes. */
export interface LoginOptions {
  user: string;
  pass?: string;
  accessToken?: string;
  authzid?: string;
}

/** Expands `{mailbox}`, `{local}`, `{domain}` (and `{master}` when given) in a login template. */
export function expandLogin(template: string, mailbox: string, master?: string): string {
  const at = mailbox.lastIndexOf('@');
  const values: Record<string, string | undefined> = {
    mailbox,
    local: at < 0 ? mailbox : mailbox.slice(0, at),
    domain: at < 0 ? '' : mailbox.slice(at + 1),
    master,
  };
  return template.replace(/\{(mailbox|local|domain|master)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** True when every mailbox logs in with one and the same identity (a fixed user name). */
export function sharedLogin(auth: ImapAuthSettings): boolean {
  return auth.kind === 'password' && !/\{(mailbox|local|domain)\}/.test(auth.user);
}

/**
 * The user whose session a connection for a mailbox is at the server: what a server's per-user
 * connection limit counts (Dovecot's mail_max_userip_connections). A master login acts as the
 * mailbox's user; a password or token login is its login name (one shared account for every
 * mailbox when the name has no placeholder).
 */
export function sessionUser(auth: ImapAuthSettings, mailbox: string): string {
  return auth.kind === 'master' ? mailbox : expandLogin(auth.user, mailbox);
}

/** The login name shown in messages and logs (never the secret). */
export function loginName(auth: ImapAuthSettings, mailbox: string): string {
  switch (auth.kind) {
    case 'password':
    case 'xoauth2':
      return expandLogin(auth.user, mailbox);
    case 'master':
      return auth.authzid ? `${auth.masterUser} (for ${mailbox})` : expandLogin(auth.login, mailbox, auth.masterUser);
  }
}

export async function loginFor(
  auth: ImapAuthSettings,
  mailbox: string,
  tokenProvider: TokenProvider | undefined,
): Promise<LoginOptions> {
  switch (auth.kind) {
    case 'password':
      return { user: expandLogin(auth.user, mailbox), pass: auth.passwords?.[mailbox] ?? auth.password };
    case 'master':
      return auth.authzid
        ? { user: auth.masterUser, pass: auth.password, authzid: mailbox }
        : { user: expandLogin(auth.login, mailbox, auth.masterUser), pass: auth.password };
    case 'xoauth2': {
      if (!tokenProvider) {
        throw new ArchiverError(
          'WXA_CONFIG_INVALID',
          'the imap destination uses xoauth2 but no token provider was given; configure the OAuth2 application',
        );
      }
      return { user: expandLogin(auth.user, mailbox), accessToken: await tokenProvider(mailbox) };
    }
  }
}
