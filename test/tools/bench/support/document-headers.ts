/** Request headers of a document navigation, as the middleware classifies them (lib/edge/request-kind.ts). */
export const DOCUMENT_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
};
