import { describe, expect, it } from 'vitest';
import { CLOUD_ENDPOINTS, resolveEndpoints } from './clouds.js';

describe('cloud endpoints', () => {
  it('maps each Microsoft cloud to its sign-in and Graph hosts', () => {
    expect(CLOUD_ENDPOINTS).toEqual({
      worldwide: { loginHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com' },
      gcc: { loginHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com' },
      'gcc-high': { loginHost: 'login.microsoftonline.us', graphHost: 'graph.microsoft.us' },
      dod: { loginHost: 'login.microsoftonline.us', graphHost: 'dod-graph.microsoft.us' },
      china: { loginHost: 'login.chinacloudapi.cn', graphHost: 'microsoftgraph.chinacloudapi.cn' },
    });
  });

  it('builds authority, scope and base URL, the scope naming the cloud Graph host', () => {
    expect(resolveEndpoints({ cloud: 'dod', tenantId: 'contoso.onmicrosoft.us' })).toEqual({
      authority: 'https://login.microsoftonline.us/contoso.onmicrosoft.us',
      scope: 'https://dod-graph.microsoft.us/.default',
      graphBaseUrl: 'https://dod-graph.microsoft.us/v1.0',
      customAuthority: false,
    });
    expect(resolveEndpoints({ cloud: 'china', tenantId: 't' }).scope).toBe(
      'https://microsoftgraph.chinacloudapi.cn/.default',
    );
  });

  it('keeps the cloud scope when URLs are overridden, and marks an unknown authority host', () => {
    const r = resolveEndpoints({
      cloud: 'gcc-high',
      tenantId: 't',
      graphBaseUrl: 'http://127.0.0.1:9/v1.0/',
      authorityUrl: 'https://login.example.test/t/',
    });
    expect(r).toEqual({
      authority: 'https://login.example.test/t',
      scope: 'https://graph.microsoft.us/.default',
      graphBaseUrl: 'http://127.0.0.1:9/v1.0',
      customAuthority: true,
    });
  });
});
