#!/usr/bin/env node
/**
 * vcore.mjs - verify credentials with DCC's @digitalcredentials/verifier-core,
 * what Learner Credential Wallet and VerifierPlus run, with its 1EdTech
 * Open Badges 3.0 JSON Schema check ("additionalInformation" schema_check).
 *
 *   node tests/interop/vcore.mjs < request.json > response.json
 *
 * Request:  {"credentials": [vc, ...], "server"?: "http://127.0.0.1:PORT"}
 * Response: {"results": [verifier-core's result without "credential", ...],
 *            "fetched": [url, ...], "refused": [url, ...]}
 * Exit codes as dbvc.mjs: 0 processed (a credential that fails is reported in
 * its result), 2 bad request ({"harnessError"}), 1 harness crash.
 *
 * verifier-core takes no document loader: it builds its own at import time
 * (@digitalcredentials/security-document-loader: bundled contexts, did:key
 * locally, did:web and any http(s) URL through `ky`, i.e. globalThis.fetch),
 * and fetches the 1EdTech schema with globalThis.fetch. So this harness
 * replaces globalThis.fetch BEFORE importing it, and nothing reaches the
 * network:
 *   - https://purl.imsglobal.org/spec/ob/v3p0/schema/json/<file> is answered
 *     with the byte copy vendored in issuer/schemas/<file>;
 *   - a URL on the request's "server" (host and port, http or https: did:web
 *     always means https) is fetched from that live server over plain http:
 *     the issuer's did.json and its status list credentials;
 *   - anything else is refused (a TypeError, as for a network failure) and
 *     listed in "refused".
 * Issuer registries: verifier-core looks the issuer up in the
 * `knownDIDRegistries` it is given; this harness gives none ([]), so no
 * registry is fetched and the "registered_issuer" step is simply false.
 */
import {existsSync, readFileSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const SCHEMA_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/';
const SCHEMA_DIR = join(
  dirname(fileURLToPath(import.meta.url)), '..', '..', 'issuer', 'schemas');

class BadRequest extends Error {}

const fetched = [];
const refused = [];
let server = null; // URL of the live issuer server, set from the request

const networkFetch = globalThis.fetch;
globalThis.fetch = async function offlineFetch(input, init) {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if(url.href.startsWith(SCHEMA_PREFIX)) {
    const file = join(SCHEMA_DIR, basename(url.pathname));
    if(basename(url.pathname) === url.href.slice(SCHEMA_PREFIX.length) &&
      existsSync(file)) {
      fetched.push(url.href);
      return new Response(readFileSync(file), {
        status: 200, headers: {'Content-Type': 'application/json'}
      });
    }
  } else if(server && url.host === server.host &&
    (url.protocol === 'https:' || url.protocol === 'http:')) {
    fetched.push(url.href);
    const local = new URL(url.pathname + url.search, server);
    return networkFetch(new Request(local, request));
  }
  refused.push(url.href);
  throw new TypeError(`offline harness: refused to fetch ${url.href}`);
};

const {verifyCredential} = await import('@digitalcredentials/verifier-core');

function errorsAsJson(key, value) {
  if(value instanceof Error) {
    return {name: value.name, message: value.message};
  }
  if(key === 'stackTrace') {
    return undefined;
  }
  return value;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function verifyAll(request) {
  if(!request || !Array.isArray(request.credentials)) {
    throw new BadRequest('"credentials" must be an array of credentials.');
  }
  if(request.server !== undefined) {
    server = new URL(request.server);
    if(server.protocol !== 'http:') {
      throw new BadRequest('"server" must be the http:// origin of a live server.');
    }
  }
  const results = [];
  for(const credential of request.credentials) {
    const result = await verifyCredential({credential, knownDIDRegistries: []});
    delete result.credential;
    results.push(result);
  }
  return {results, fetched, refused};
}

function respond(response, exitCode = 0) {
  process.stdout.write(JSON.stringify(response, errorsAsJson) + '\n');
  process.exitCode = exitCode;
}

try {
  let request;
  try {
    request = JSON.parse(await readStdin());
  } catch(e) {
    throw new BadRequest(`stdin is not one JSON document: ${e.message}`);
  }
  respond(await verifyAll(request));
} catch(e) {
  if(e instanceof BadRequest) {
    respond({harnessError: e.message}, 2);
  } else {
    respond({harnessError: `harness crash: ${e.stack ?? e}`}, 1);
  }
}
