/** The security module's public face: roles, passwords, accounts, sessions, secrets and setup. */
export * from './roles.js';
export * from './passwords.js';
export * from './accounts.js';
export * from './sessions.js';
export * from './secrets.js';
export * from './setup-token.js';
export * from './secret-identity.js';
