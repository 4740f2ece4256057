/** The second copy: backups of a live archive, their comparison with it, and restore. */
export * from './backup.js';
export * from './manifest.js';
export * from './restore.js';
export * from './schedule.js';
export * from './postgres-advice.js';
