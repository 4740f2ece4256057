/**
 * The shared components and formatters pages import: `import { Page, Table, ... } from '../components/index.js'`.
 * Keep these props stable; pages are written against them.
 */
export { Button, Empty, Facts, Field, Loading, Page, Section, StatusBadge } from './ui.js';
export type { ButtonProps, ButtonVariant, FieldProps, PageProps, Tone } from './ui.js';
export { Table } from './table.js';
export type { Column, TableProps } from './table.js';
export { ErrorBanner, Notice, describeError, fieldErrors } from './error-banner.js';
export type { ErrorBannerProps } from './error-banner.js';
export { formatBytes, formatDate, formatDateTime, formatDuration, formatNumber, formatRelative } from './format.js';
export { useFormat } from './use-format.js';
export type { Formatters } from './use-format.js';
export { useNow } from './use-now.js';
export { LagView, ProgressView, ReasonCounts, RunStatusBadge, StateBadge } from './connector-status.js';
