// Stands in for the Observatory's src/retriever/retriever.js (see hooks.mjs).
export async function retrieve() {
  return globalThis.webxslRequests;
}
