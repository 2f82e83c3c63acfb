#!/usr/bin/env node
/**
 * rdfc.mjs - canonicalize N-Quads with Digital Bazaar's rdf-canonize (RDFC-1.0).
 *
 * For the Python tests of the blank-node hashing budget: the same dataset goes
 * through rdf-canonize, with its default limits or with the limits a case names,
 * so the tests can compare what each side accepts and what it outputs.
 *
 *   node tests/interop/rdfc.mjs < request.json > response.json
 *
 * Request:  {"cases": [{"nquads": "...", "maxWorkFactor"?: n,
 *                       "maxDeepIterations"?: n}, ...]}
 * Response: {"results": [{"canonical": "..."} | {"error": "..."}, ...]}
 *           in the order of the cases. Exit 0 unless the request is unreadable.
 */
import * as canonize from 'rdf-canonize';

let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
}
const {cases} = JSON.parse(input);
const results = [];
for(const item of cases) {
  const options = {
    algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads',
    format: 'application/n-quads'
  };
  for(const name of ['maxWorkFactor', 'maxDeepIterations']) {
    if(item[name] !== undefined) {
      options[name] = item[name];
    }
  }
  try {
    results.push({canonical: await canonize.canonize(item.nquads, options)});
  } catch(error) {
    results.push({error: String(error.message || error)});
  }
}
process.stdout.write(JSON.stringify({results}));
