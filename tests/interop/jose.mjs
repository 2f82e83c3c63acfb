#!/usr/bin/env node
/**
 * jose.mjs - sign / verify compact JWS with panva's `jose` (pinned in package.json).
 *
 * An independent JOSE implementation for the Python test-suite: it verifies the
 * VC-JWTs we issue and signs VC-JWTs for us to verify, so both directions are
 * checked against code we did not write.
 *
 *   node tests/interop/jose.mjs < requests.json > responses.json
 *
 * Reads ONE JSON value from stdin: a request object, or an array of them (one
 * node start-up for many checks); writes the response (or the array of
 * responses, in order) to stdout. Exit codes: 0 processed (a failed
 * verification is in the response); 2 bad request ({"harnessError"}); 1 crash.
 *
 * Requests:
 *   {"op": "generate", "alg": "EdDSA"|"ES256"|"RS256"|...}
 *        -> {"privateJwk", "publicJwk"}            (extractable key pair)
 *   {"op": "sign", "alg", "privateJwk", "protectedHeader", "payload"}
 *        -> {"token"}   CompactSign over UTF-8 JSON.stringify(payload), the
 *           header exactly as given (its "alg" must equal "alg")
 *   {"op": "verify", "token", "publicJwk"?, "algorithms", "typ"?, "issuer"?,
 *    "now"?}
 *        -> {"verified", "protectedHeader", "payload", "error"}
 *           jwtVerify: signature, typ (when given), iss (when given) and the
 *           JWT time claims (exp / nbf, as of "now", ISO date; default the
 *           real clock). Without publicJwk the key is the token's own `jwk`
 *           header (jose's EmbeddedJWK).
 */
import {
  CompactSign, EmbeddedJWK, exportJWK, generateKeyPair, importJWK, jwtVerify,
} from 'jose';

class BadRequest extends Error {}

function need(request, name) {
  if (request[name] === undefined || request[name] === null) {
    throw new BadRequest(`missing "${name}"`);
  }
  return request[name];
}

async function generate(request) {
  const alg = need(request, 'alg');
  const options = {extractable: true};
  if (alg === 'EdDSA') {
    options.crv = 'Ed25519';
  }
  const {publicKey, privateKey} = await generateKeyPair(alg, options);
  return {
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
}

async function sign(request) {
  const alg = need(request, 'alg');
  const header = need(request, 'protectedHeader');
  if (header.alg !== alg) {
    throw new BadRequest('protectedHeader.alg must equal alg');
  }
  const key = await importJWK(need(request, 'privateJwk'), alg);
  const payload = new TextEncoder().encode(
    JSON.stringify(need(request, 'payload')));
  const token = await new CompactSign(payload)
    .setProtectedHeader(header)
    .sign(key);
  return {token};
}

async function verify(request) {
  const token = need(request, 'token');
  const algorithms = need(request, 'algorithms');
  const options = {algorithms};
  if (request.typ) {
    options.typ = request.typ;
  }
  if (request.issuer) {
    options.issuer = request.issuer;
  }
  if (request.now) {
    options.currentDate = new Date(request.now);
  }
  let key = EmbeddedJWK;
  if (request.publicJwk) {
    key = await importJWK(request.publicJwk, algorithms[0]);
  }
  try {
    const {payload, protectedHeader} = await jwtVerify(token, key, options);
    return {verified: true, protectedHeader, payload, error: null};
  } catch (error) {
    return {
      verified: false, protectedHeader: null, payload: null,
      error: `${error.code || error.name}: ${error.message}`,
    };
  }
}

const OPS = {generate, sign, verify};

async function handle(request) {
  if (typeof request !== 'object' || request === null || !OPS[request.op]) {
    throw new BadRequest(`unknown op ${JSON.stringify(request && request.op)}`);
  }
  return OPS[request.op](request);
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  let input;
  try {
    input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new BadRequest(`stdin is not JSON: ${error.message}`);
  }
  const output = Array.isArray(input) ?
    await Promise.all(input.map(handle)) : await handle(input);
  process.stdout.write(JSON.stringify(output));
}

main().catch((error) => {
  const bad = error instanceof BadRequest;
  process.stdout.write(JSON.stringify({
    harnessError: bad ? error.message : `harness crash: ${error.stack}`,
  }));
  process.exitCode = bad ? 2 : 1;
});
