/** Console routes of the search page and the conversation view. */
const enc = encodeURIComponent;

export const searchRoute = (q: string) => `/search?q=${enc(q)}`;
export const conversationRoute = (itemKey: string) => `/conversation/${enc(itemKey)}`;
export const conversationAroundApi = (itemKey: string) => `/api/items/${enc(itemKey)}/conversation`;
export const conversationPageApi = (connectorId: string, conversationId: string) =>
  `/api/conversations/${enc(connectorId)}/${enc(conversationId)}`;
