#!/usr/bin/env node
/**
 * jsonld_canon.mjs - canonicalize JSON-LD documents with Digital Bazaar's jsonld.js
 * (jsonld.canonize, RDFC-1.0 through rdf-canonize), for the canonicalization
 * differential test (tests/unit/dataintegrity/test_canonicalize_differential.py).
 *
 *   node tests/interop/jsonld_canon.mjs < request.json > response.json
 *
 * Request:  {"contexts": {"<url>": <context document>, ...}, "documents": [...],
 *            "nquads"?: ["<N-Quads>" | null, ...]}
 *           The document loader answers only the URLs of "contexts" (the vendored
 *           contexts the Python side sends); any other URL is an error. "nquads", one
 *           per document, are canonicalized with rdf-canonize as they are.
 * Response: {"results": [{"canonical": "...", "nquads"?: "..."} | {"error": "..."},
 *           ...]} in order ("nquads": rdf-canonize's canonical form of the N-Quads).
 */
import jsonld from 'jsonld';
import * as canonize from 'rdf-canonize';

let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
}
const {contexts, documents, nquads = []} = JSON.parse(input);
const documentLoader = async url => {
  if(!Object.prototype.hasOwnProperty.call(contexts, url)) {
    throw new Error(`refusing to load ${url}: not a vendored context`);
  }
  return {contextUrl: null, documentUrl: url, document: contexts[url]};
};
const results = [];
for(const [index, document] of documents.entries()) {
  try {
    const canonical = await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader,
      safe: false
    });
    const result = {canonical};
    if(typeof nquads[index] === 'string') {
      result.nquads = await canonize.canonize(nquads[index], {
        algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads',
        format: 'application/n-quads'
      });
    }
    results.push(result);
  } catch(error) {
    results.push({error: String(error.message || error)});
  }
}
process.stdout.write(JSON.stringify({results}));
