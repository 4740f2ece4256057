/**
 * Where each Microsoft cloud lives: the sign-in host (Microsoft Entra ID) and the Graph host
 * differ per national cloud, and a token must name the Graph host of its own cloud in its
 * scope. Used by the Graph destination to build its authority, scope and base URL.
 */

export type GraphCloud = 'worldwide' | 'gcc' | 'gcc-high' | 'dod' | 'china';

export interface CloudEndpoints {
  /** Microsoft Entra ID host that issues tokens */
  loginHost: string;
  /** Microsoft Graph host; also the resource of the token scope */
  graphHost: string;
}

/**
 * From Microsoft's "national cloud deployments" table. GCC (moderate) shares the worldwide
 * hosts; GCC High and DoD sign in at the US Government authority but call different Graph hosts.
 */
export const CLOUD_ENDPOINTS: Readonly<Record<GraphCloud, CloudEndpoints>> = Object.freeze({
  worldwide: { loginHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com' },
  gcc: { loginHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com' },
  'gcc-high': { loginHost: 'login.microsoftonline.us', graphHost: 'graph.microsoft.us' },
  dod: { loginHost: 'login.microsoftonline.us', graphHost: 'dod-graph.microsoft.us' },
  china: { loginHost: 'login.chinacloudapi.cn', graphHost: 'microsoftgraph.chinacloudapi.cn' },
});

export interface ResolvedEndpoints {
  /** `https://<login host>/<tenant>`: the msal authority */
  authority: string;
  /** `https://<graph host>/.default`: every application permission granted to the app */
  scope: string;
  /** `https://<graph host>/v1.0`, without a trailing slash */
  graphBaseUrl: string;
  /** true when the authority host is not one msal knows, so it must be declared as known */
  customAuthority: boolean;
}

const KNOWN_LOGIN_HOSTS = new Set(Object.values(CLOUD_ENDPOINTS).map((c) => c.loginHost));

/**
 * Endpoints for a tenant in a cloud. Overrides (an emulator in tests, a proxy) replace the URL
 * but never the scope: the token must still be for the cloud's Graph resource.
 */
export function resolveEndpoints(opts: {
  cloud: GraphCloud;
  tenantId: string;
  graphBaseUrl?: string;
  authorityUrl?: string;
}): ResolvedEndpoints {
  const cloud = CLOUD_ENDPOINTS[opts.cloud];
  const authority = (opts.authorityUrl ?? `https://${cloud.loginHost}/${encodeURIComponent(opts.tenantId)}`).replace(
    /\/+$/,
    '',
  );
  return {
    authority,
    scope: `https://${cloud.graphHost}/.default`,
    graphBaseUrl: (opts.graphBaseUrl ?? `https://${cloud.graphHost}/v1.0`).replace(/\/+$/, ''),
    customAuthority: !KNOWN_LOGIN_HOSTS.has(new URL(authority).host),
  };
}
