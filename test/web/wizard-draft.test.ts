// The wizard's form state: ids from names, what each step refuses, and the request it sends
// (secrets only when typed, the embedded archive first, destination secrets by their index).
import { describe, expect, it } from 'vitest';
import type { ConnectorDetail } from '../../src/server/contract.js';
import {
  draftFromDetail,
  emptyDraft,
  ID_PATTERN,
  newDestination,
  slugify,
  toRequest,
  withName,
  type DestinationDraft,
  type WizardDraft,
} from '../../web/src/pages/wizard/draft.js';
import { stepIssues } from '../../web/src/pages/wizard/validate.js';

const CREATE = { editing: false, secrets: {} };
type GraphDraft = Extract<DestinationDraft, { kind: 'graph' }>;
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';

function wecomDraft(): WizardDraft {
  return {
    ...withName(emptyDraft(), 'Sales team (Shanghai)'),
    termsAccepted: true,
    sourceKind: 'wecom',
    corpId: 'ww123',
    sdkLibrary: '/opt/wecom/libWeWorkFinanceSdk_C.so',
    archiveSecret: 's3cret',
    privateKeys: [{ uid: 'k', version: '2', pem: PEM }],
  };
}

describe('slugify', () => {
  it('makes ids the server accepts from Latin names, and nothing from names without Latin letters', () => {
    expect(slugify('Sales team (Shanghai)')).toBe('sales-team-shanghai');
    expect(slugify('  Équipe  Zürich  ')).toBe('equipe-zurich');
    expect(slugify('销售部')).toBe('');
    expect(ID_PATTERN.test(slugify('x'.repeat(80)))).toBe(true);
  });

  it('follows the name until the id is edited by hand', () => {
    const touched = { ...withName(emptyDraft(), 'One'), id: 'custom', idTouched: true };
    expect(withName(touched, 'Two').id).toBe('custom');
    expect(withName(emptyDraft(), 'Two').id).toBe('two');
  });
});

describe('stepIssues', () => {
  it('requires the terms, and a WeCom source’s secret and a PEM key', () => {
    expect(stepIssues('terms', emptyDraft(), CREATE)).toEqual(['wizard:issues.termsNotAccepted']);
    expect(stepIssues('source', wecomDraft(), CREATE)).toEqual([]);
    const bare = { ...wecomDraft(), archiveSecret: '', privateKeys: [{ uid: 'k', version: '1', pem: 'not a key' }] };
    expect(stepIssues('source', bare, CREATE)).toEqual([
      'wizard:issues.archiveSecretRequired',
      'wizard:issues.keyPemInvalid',
    ]);
    expect(stepIssues('source', { ...wecomDraft(), privateKeys: [] }, CREATE)).toEqual([
      'wizard:issues.privateKeyRequired',
    ]);
  });

  it('lets an edit keep stored secrets empty', () => {
    const draft = { ...wecomDraft(), archiveSecret: '', privateKeys: [] };
    const editing = { editing: true, secrets: { archiveSecret: 'set' as const, 'privateKeys.2': 'set' as const } };
    expect(stepIssues('source', draft, editing)).toEqual([]);
  });

  it('blocks the mapping step while the CSV is unchecked or has an error, not for warnings', () => {
    const pending = { ...wecomDraft(), csv: 'a,b', csvFileName: 'm.csv', csvPreview: null };
    expect(stepIssues('mapping', pending, CREATE)).toEqual(['wizard:issues.csvPending']);
    const preview = (severity: 'error' | 'warning') => ({
      ...pending,
      csvPreview: {
        rows: [],
        totalRows: 1,
        problems: [{ line: 2, severity, message: 'bad', code: 'row-no-mailbox', params: {} }],
        problemCount: 1,
        errorCount: severity === 'error' ? 1 : 0,
        warningCount: severity === 'warning' ? 1 : 0,
        problemCounts: [{ code: 'row-no-mailbox', severity, count: 1 }],
      },
    });
    expect(stepIssues('mapping', preview('error'), CREATE)).toEqual(['wizard:issues.csvHasErrors']);
    expect(stepIssues('mapping', preview('warning'), CREATE)).toEqual([]);
  });

  it('checks the address template, the interval and destination fields', () => {
    expect(stepIssues('mapping', { ...emptyDraft(), addressTemplate: '{userid}@example.com' }, CREATE)).toEqual([]);
    expect(stepIssues('mapping', { ...emptyDraft(), addressTemplate: 'a@example.com' }, CREATE)).toEqual([
      'wizard:issues.templateInvalid',
    ]);
    expect(stepIssues('schedule', { ...emptyDraft(), intervalSeconds: '86401' }, CREATE)).toEqual([
      'wizard:issues.intervalInvalid',
    ]);
    const imap = { ...emptyDraft(), destinations: [newDestination('imap')] };
    expect(stepIssues('destinations', imap, CREATE)).toEqual([
      'wizard:issues.destinationSecretRequired',
      'wizard:issues.imapHostRequired',
      'wizard:issues.imapMasterUserRequired',
      'wizard:issues.imapCheckMailboxInvalid',
    ]);
  });
});

describe('toRequest', () => {
  it('sends the archive first, typed secrets only, and destination secrets by their index', () => {
    const graph = { ...newDestination('graph'), tenantId: 't', clientId: 'c', secret: 'cs' };
    const gmail = { ...newDestination('gmail'), label: '' };
    const request = toRequest({ ...wecomDraft(), destinations: [graph, gmail] }, '1');
    expect(request).toMatchObject({
      id: 'sales-team-shanghai',
      termsAccepted: '1',
      source: { kind: 'wecom', corpId: 'ww123' },
      destinations: [{ kind: 'archive' }, { kind: 'graph', tenantId: 't', clientId: 'c' }, { kind: 'gmail' }],
      schedule: { intervalSeconds: 60 },
      secrets: { archiveSecret: 's3cret', privateKeys: [{ version: 2, pem: PEM }], destinations: { '1': 'cs' } },
    });
    expect(request.destinations[2]).toEqual({ kind: 'gmail' });
    expect(request.secrets).not.toHaveProperty('proxyPassword');
  });

  it("sends Microsoft 365's largest message in bytes (MB as Exchange counts them) and refuses a size out of range", () => {
    const graph: GraphDraft = {
      ...(newDestination('graph') as GraphDraft),
      tenantId: 't',
      clientId: 'c',
      secret: 'cs',
      maxMessageMb: '150',
    };
    const request = toRequest({ ...wecomDraft(), destinations: [graph] }, '1');
    expect(request.destinations[1]).toMatchObject({ kind: 'graph', maxMessageBytes: 157_286_400 });
    const detail = { definition: request, secrets: {} } as unknown as ConnectorDetail;
    expect(draftFromDetail(detail).destinations[0]).toMatchObject({ kind: 'graph', maxMessageMb: '150' });
    // Left empty: the 35 MB default applies and nothing is sent.
    expect(
      toRequest({ ...wecomDraft(), destinations: [{ ...graph, maxMessageMb: '' }] }, '1').destinations[1],
    ).not.toHaveProperty('maxMessageBytes');
    const tooBig = { ...wecomDraft(), destinations: [{ ...graph, maxMessageMb: '500' }] };
    expect(stepIssues('destinations', tooBig, CREATE)).toContain('wizard:issues.graphMaxMessageInvalid');
  });

  it('round-trips an existing connector without any secret', () => {
    const first = toRequest({ ...wecomDraft(), destinations: [] }, '1');
    const detail = { definition: first, secrets: { archiveSecret: 'set' } } as unknown as ConnectorDetail;
    const again = toRequest(draftFromDetail(detail), '1');
    const { secrets, ...definition } = first;
    expect(secrets).toBeDefined();
    expect(again).toEqual(definition);
  });
});
