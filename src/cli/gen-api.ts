/** `npm run gen:api`: the web app's API types from the document the app serves. */
import { API_TYPES_FILE, buildOpenApiDocument, renderApiTypes, writeApiTypes } from './api-types';

writeApiTypes(await renderApiTypes(await buildOpenApiDocument()));
console.log(`API types written to ${API_TYPES_FILE}`);
