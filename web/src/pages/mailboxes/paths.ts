/**
 * Console routes and API paths of mailboxes and items. Addresses and item keys go through
 * encodeURIComponent because item keys may hold characters with a meaning in a URL path.
 */
const enc = encodeURIComponent;

export const mailboxRoute = (address: string) => `/mailboxes/${enc(address)}`;
export const itemRoute = (address: string, itemKey: string) => `/mailboxes/${enc(address)}/${enc(itemKey)}`;

export const mailboxItemsApi = (address: string) => `/api/mailboxes/${enc(address)}/items`;
export const itemApi = (address: string, itemKey: string) => `/api/mailboxes/${enc(address)}/items/${enc(itemKey)}`;
