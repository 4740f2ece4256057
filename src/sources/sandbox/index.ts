/**
 * The sandbox WeCom tenant: a seeded simulated corp whose archive the pipeline reads through the
 * same FinanceClient seam as Tencent's library. The demo, the tests and the benchmarks use it.
 */
export { appendMessages } from './append.js';
export type { AppendOptions } from './append.js';
export { SandboxClient, openSandbox } from './client.js';
export type { SandboxCall, SandboxClientOptions } from './client.js';
export { randomKeyString, sandboxDecryptData, sandboxEncryptData } from './encrypt.js';
export { MALFORMED_KINDS } from './faults.js';
export type { FaultEntry, FaultKind } from './faults.js';
export { generateTenant } from './generate.js';
export type { GenerateOptions } from './generate.js';
export type { MediaIndexEntry } from './media.js';
export { ALL_MSGTYPES } from './messages.js';
export { CHATDATA_FILE, MEDIA_DIR, TENANT_FILE, readTenant } from './tenant.js';
export type { KeyVersionInfo, TenantInfo, TenantSummary } from './tenant.js';
export { startDirectoryServer, SANDBOX_ARCHIVE_SECRET } from './directory-server.js';
export type { DirectoryServer, DirectoryServerOptions, DirectoryFault } from './directory-server.js';
