/**
 * BIDS datasets: file-name entities, sidecar inheritance, events, discovery
 * and derivative descriptions. The pieces live in ./bids/; this is the one
 * import other modules use.
 */
export { parseBidsName, formatBidsName, entitiesSubset, ENTITY_ORDER, type BidsName } from './bids/entities.js';
export { applicableFiles, resolveSidecar, findEvents, readJsonObject } from './bids/inheritance.js';
export { readEvents, checkEventsColumns, type BidsEvent } from './bids/events.js';
export { readDatasetDescription, writeDatasetDescription, BIDS_VERSION, type DatasetDescription, type GeneratedBy } from './bids/description.js';
export { scanBids, selectFiles, type BidsDataset, type BidsFile, type BidsDatatype } from './bids/scan.js';
