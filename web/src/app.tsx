/**
 * The console's routes and the gates that send a visitor to /setup before the first
 * administrator exists, to /login without a session, and to a notice for a page their roles do
 * not allow. The header and frame are in layout.tsx.
 *
 * Stable data-testid attributes for end-to-end tests (language-independent; states carry a
 * data-state / data-level / data-phase / data-status attribute with the raw value):
 *   shell        app-header, nav-<page> (connectors, problems, mailboxes, audit, users), user-name,
 *                logout, lang-switch (a <select> with values en / zh-CN), live-status (data-status),
 *                forbidden, not-found, loading, empty, error-banner, error-message, field-errors, retry
 *   setup        setup-token, setup-username, setup-display-name, setup-password,
 *                setup-password-confirm, setup-submit
 *   login        login-username, login-password, login-submit, login-error (data-code)
 *   connectors   connectors-page, connectors-table, new-connector, connector-row-<id>, connector-link-<id>,
 *                connector-state-<id> (inner data-state), connector-state-detail-<id>,
 *                progress-<id> (data-phase, data-captured, data-processed, data-total, and in a worker process's
 *                deliver phase data-delivered and data-to-deliver; text has the counts),
 *                lag-<id> (data-level), last-run-<id>, next-run-<id>, run-now-<id>, pause-<id>,
 *                resume-<id>, notice, action-error
 *   connector    connector-page, connector-summary, connector-secrets, secret-<name> (data-status
 *                set/unset), connector-edit, connector-readonly-note, runs-table, run-row-<runId>,
 *                runs-more; plus run-now-<id>, pause-<id>, resume-<id>, progress-<id>, lag-<id> as above
 *   wizard       wizard, wizard-step-<step> (terms, source, mapping, destinations, schedule, review;
 *                aria-current on the current one), wizard-next, wizard-back, wizard-finish,
 *                wizard-issues, wizard-field-errors, terms-text, terms-version, terms-version-mismatch,
 *                terms-accept, connector-name, connector-id, source-kind-sandbox, source-kind-wecom,
 *                sandbox-messages, wecom-corp-id, wecom-secret, wecom-sdk-library, wecom-proxy,
 *                wecom-proxy-password (secret fields have <testid>-status when editing), keys-stored,
 *                key-version-<i>, key-pem-<i>, key-add, key-remove-<i>, test-connection, check-result
 *                (data-ok), check-line (data-ok), auto-mapping, address-template, catch-all, csv-input
 *                (the file input), csv-remove, csv-preview (data-errors, data-total), csv-row,
 *                csv-problems, csv-problem (data-severity, data-line), destination-archive,
 *                destination-add-imap, destination-add-graph, destination-add-gmail, destination-<i>
 *                (data-kind; i counts the added destinations from 0), destination-remove-<i>,
 *                destination-field-<i>-<field> (host, port, folder, secure, authKind, masterUser,
 *                checkMailbox, tenantId, clientId, cloud, label), destination-secret-<i>,
 *                destination-test-mailbox-<i>, destination-test-<i>, destination-check-<i>,
 *                interval-seconds, interval-readable, review
 *   problems     problems-page, problems-connector-filter, problem-group-<reason> (data-count),
 *                problem-count-<reason>, problem-action-<reason>, problem-released-<reason>,
 *                unmapped-row-<participant>, unmapped-mailbox-<participant> (input),
 *                unmapped-add-<participant>, unmapped-added, unmapped-empty, problems-empty
 *   mailboxes    mailboxes-page, mailbox-search, mailboxes-table, mailbox-row-<address>,
 *                mailbox-link-<address>, mailboxes-more; mailbox-page, items-table, item-row-<itemKey>,
 *                items-older; item-page, item-subject, item-from, item-to, item-sha256, item-frame,
 *                attachment-<index>, attachments-empty, item-audit-note
 *   search       search-page, search-query, search-submit, search-syntax, search-filters,
 *                search-filter-<field> (from, to, participant, conversation, mailbox, connector, type,
 *                after, before), search-flag-<flag> (attachment, recalled, external), search-sort,
 *                search-idle, search-total (data-total), search-empty, search-results, hit-<n>
 *                (data-item-key), hit-snippet, hit-mark (the highlighted text), hit-conversation-<n>,
 *                hit-item-<n>, search-more, search-query-error, search-query-error-at, search-audit-note
 *   conversation conversation-page, transcript, transcript-message, transcript-anchor (the message it
 *                was opened around; both carry data-item-key), transcript-recalled, transcript-recall,
 *                transcript-attachment-<index>, transcript-preview, conversation-older,
 *                conversation-newer, conversation-start, conversation-end; item-conversation on the
 *                item page
 *   cases        cases-page, cases-table, case-row-<id>, case-link-<id>, case-name, case-description,
 *                case-create; case-page, case-status (data-status), case-custodians, members-table,
 *                member-<username>, member-username, member-add, member-remove-<username>, holds-table,
 *                hold-<id>, hold-kind, hold-target, hold-place, hold-release-<id>, hold-release-confirm-<id>,
 *                searches-table, search-<id>, search-counts-<id> (data-items), search-name,
 *                search-query-input, search-save, search-rerun-<id>, search-target-<id>, search-add-<id>,
 *                search-added-<id> (data-added), sets-table, set-<id>, set-name, set-create, set-open-<id>,
 *                review-set-panel (data-review-set), review-filter, review-tag, review-apply-tag,
 *                review-remove-tag, review-check-all, review-check, review-total (data-total),
 *                review-table, review-item-<msgid>, review-item-tags (data-tags), review-conversation,
 *                review-comment, review-comment-open, review-comment-input, review-comment-save,
 *                review-previous, review-next; cases-status-filter, case-status-<id>
 *                (data-status), case-status-section, case-close, case-close-reason, case-close-confirm,
 *                case-closed-note, case-reopen, tags-table, tag-row-<name>, tag-state (data-state), tag-name,
 *                tag-add, tag-rename-<id>, tag-rename-input-<id>, tag-rename-save-<id>, tag-retire-<id>,
 *                tag-restore-<id>, set-reviewers-<id> (data-reviewers), set-assignee-<id>, set-assign-<id>,
 *                set-unassign-<id>-<username>, review-read-only
 *   review       my-review-page, my-review-table, my-set-<id>, my-set-link-<id>, review-set-page (with the
 *                review panel above), review-conversation-back
 *                exports-table, export-<id>, export-status-<id>
 *                (data-status), export-hash-<id>, export-download-<id>, export-manifest-<id>,
 *                export-resume-<id>, export-source, export-format, export-tag-<tag>, export-start
 *   retention    retention-page, retention-outside-note, policy-table, policy-<id>, lock-<id>, lock-confirm-<id>,
 *                policy-locked-<id>, policy-name, policy-value, policy-unit, policy-action, policy-reviewer,
 *                policy-mailboxes, policy-create, dry-run, dry-run-counts, dry-run-table, batch-table,
 *                batch-<id>, approve-<id>, postpone-<id>
 *   integrity    integrity-page, integrity-verify, integrity-verify-day, integrity-evidence,
 *                integrity-verification (data-ok), integrity-verification-status, integrity-first-broken,
 *                integrity-checkpoint (data-number), integrity-ingest-head, integrity-audit-head,
 *                integrity-gaps, integrity-backup
 *   audit        audit-page, audit-filter-actor, audit-filter-action, audit-filter-from,
 *                audit-filter-to, audit-apply, audit-clear, audit-table, audit-row-<id>, audit-older
 *   users        users-page, users-table, user-row-<username>, user-roles-<username> (data-roles),
 *                user-state-<username> (data-disabled, data-locked), user-edit-<username>,
 *                user-disable-/user-enable-/user-unlock-<username>, user-create-form,
 *                user-create-username, user-create-display-name, user-create-password,
 *                user-create-role-<role>, user-create-submit, user-created, user-edit-panel
 */
import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Permission } from '../../src/server/contract.js';
import { ErrorBanner, Loading } from './components/index.js';
import { Bare, Layout, NAV } from './layout.js';
import { AuditPage } from './pages/AuditPage.js';
import { CasePage } from './pages/CasePage.js';
import { CasesPage } from './pages/CasesPage.js';
import { DispositionReviewPage } from './pages/DispositionReviewPage.js';
import { MyReviewPage } from './pages/cases/MyReviewPage.js';
import { ReviewConversationPage } from './pages/cases/ReviewConversationPage.js';
import { ReviewSetPage } from './pages/cases/ReviewSetPage.js';
import { IntegrityPage } from './pages/integrity/IntegrityPage.js';
import { RetentionPage } from './pages/RetentionPage.js';
import { ConnectorPage } from './pages/ConnectorPage.js';
import { ConnectorsPage } from './pages/ConnectorsPage.js';
import { ConversationPage } from './pages/ConversationPage.js';
import { ItemPage } from './pages/ItemPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { MailboxesPage } from './pages/MailboxesPage.js';
import { MailboxPage } from './pages/MailboxPage.js';
import { ProblemsPage } from './pages/ProblemsPage.js';
import { SearchPage } from './pages/SearchPage.js';
import { SupervisionPage } from './pages/SupervisionPage.js';
import { SetupPage } from './pages/SetupPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { WizardPage } from './pages/WizardPage.js';
import { useSession, SessionProvider } from './session.js';

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </BrowserRouter>
  );
}

function AppRoutes() {
  const session = useSession();
  const location = useLocation();
  switch (session.status) {
    case 'loading':
      return (
        <Bare>
          <Loading />
        </Bare>
      );
    case 'unreachable':
      return (
        <Bare>
          <ErrorBanner error={session.error} onRetry={session.reload} />
        </Bare>
      );
    case 'setup':
      return (
        <Routes>
          <Route
            path="/setup"
            element={
              <Bare>
                <SetupPage />
              </Bare>
            }
          />
          <Route path="*" element={<Navigate to="/setup" replace />} />
        </Routes>
      );
    case 'anonymous':
      return (
        <Routes>
          <Route
            path="/login"
            element={
              <Bare>
                <LoginPage />
              </Bare>
            }
          />
          <Route
            path="*"
            element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />}
          />
        </Routes>
      );
    case 'authenticated':
      return (
        <Routes>
          <Route path="/login" element={<AfterLogin />} />
          <Route path="/setup" element={<Navigate to="/" replace />} />
          <Route element={<Layout />}>
            <Route index element={<Home />} />
            <Route
              path="connectors"
              element={
                <Gate permission="connectors:read">
                  <ConnectorsPage />
                </Gate>
              }
            />
            <Route
              path="connectors/new"
              element={
                <Gate permission="connectors:write">
                  <WizardPage />
                </Gate>
              }
            />
            <Route
              path="connectors/:id"
              element={
                <Gate permission="connectors:read">
                  <ConnectorPage />
                </Gate>
              }
            />
            <Route
              path="connectors/:id/edit"
              element={
                <Gate permission="connectors:write">
                  <WizardPage />
                </Gate>
              }
            />
            <Route
              path="problems"
              element={
                <Gate permission="problems:read">
                  <ProblemsPage />
                </Gate>
              }
            />
            <Route
              path="search"
              element={
                <Gate permission="search">
                  <SearchPage />
                </Gate>
              }
            />
            <Route
              path="cases"
              element={
                <Gate permission="cases:read">
                  <CasesPage />
                </Gate>
              }
            />
            <Route
              path="cases/:id"
              element={
                <Gate permission="cases:read">
                  <CasePage />
                </Gate>
              }
            />
            <Route
              path="review"
              element={
                <Gate permission="review">
                  <MyReviewPage />
                </Gate>
              }
            />
            <Route
              path="review/:setId"
              element={
                <Gate permission="review">
                  <ReviewSetPage />
                </Gate>
              }
            />
            <Route
              path="review/:setId/items/:itemKey"
              element={
                <Gate permission="review">
                  <ReviewConversationPage />
                </Gate>
              }
            />
            <Route
              path="disposition"
              element={
                <Gate permission="retention:review">
                  <DispositionReviewPage />
                </Gate>
              }
            />
            <Route
              path="supervision"
              element={
                <Gate permission="supervision:review">
                  <SupervisionPage />
                </Gate>
              }
            />
            <Route
              path="conversation/:itemKey"
              element={
                <Gate permission="items:open">
                  <ConversationPage />
                </Gate>
              }
            />
            <Route
              path="mailboxes"
              element={
                <Gate permission="mailboxes:read">
                  <MailboxesPage />
                </Gate>
              }
            />
            <Route
              path="mailboxes/:address"
              element={
                <Gate permission="mailboxes:read">
                  <MailboxPage />
                </Gate>
              }
            />
            <Route
              path="mailboxes/:address/:itemKey"
              element={
                <Gate permission="items:open">
                  <ItemPage />
                </Gate>
              }
            />
            <Route
              path="audit"
              element={
                <Gate permission="audit:read">
                  <AuditPage />
                </Gate>
              }
            />
            <Route
              path="integrity"
              element={
                <Gate permission="integrity:read">
                  <IntegrityPage />
                </Gate>
              }
            />
            <Route
              path="retention"
              element={
                <Gate permission="retention:read">
                  <RetentionPage />
                </Gate>
              }
            />
            <Route
              path="users"
              element={
                <Gate permission="users:write">
                  <UsersPage />
                </Gate>
              }
            />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      );
  }
}

/** After logging in, back to the page that sent the user to /login. */
function AfterLogin() {
  const location = useLocation();
  const { can } = useSession();
  const from = (location.state as { from?: string } | null)?.from;
  // The remembered page may be the previous user's: go there only if this user may open it.
  const area = from ? NAV.find((n) => from === n.path || from.startsWith(`${n.path}/`)) : undefined;
  // An item's page sits under /mailboxes but opens to items:open (a Reviewer's own items).
  const itemPage = from !== undefined && /^\/mailboxes\/[^/]+\/[^/]+$/.test(from);
  const allowed = from && from !== '/login' && (itemPage ? can('items:open') : !area || can(area.permission));
  return <Navigate to={allowed ? from : '/'} replace />;
}

function Home() {
  const { can } = useSession();
  const { t } = useTranslation('common');
  const first = NAV.find((n) => can(n.permission));
  if (first) return <Navigate to={first.path} replace />;
  return (
    <p className="empty" data-testid="forbidden">
      {t('noPermissions')}
    </p>
  );
}

function Gate({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  const { t } = useTranslation('common');
  if (can(permission)) return <>{children}</>;
  return (
    <div className="banner banner-warning" data-testid="forbidden">
      {t('forbidden')}
    </div>
  );
}

function NotFound() {
  const { t } = useTranslation('common');
  return (
    <p className="empty" data-testid="not-found">
      {t('notFound')}
    </p>
  );
}
