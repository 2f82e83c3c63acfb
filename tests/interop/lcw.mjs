#!/usr/bin/env node
/**
 * lcw.mjs - a wallet client that behaves as Learner Credential Wallet 2.x does
 * (app/lib/credentialRequest.ts, app/lib/exchanges.ts, app/lib/present.ts in
 * digitalcredentials/learner-credential-wallet), with Digital Bazaar's
 * Ed25519Signature2020 suite and @digitalbazaar/vc:
 *
 *   node tests/interop/lcw.mjs < request.json > response.json
 *
 * Requests:
 *   {"op": "deepLink", "link", "seed", "version"?}
 *      the older deep link https://lcw.app/request?issuer=...&vc_request_url=...
 *      &challenge=...&auth_type=bearer: sign an empty presentation (holder =
 *      the wallet's did:key) with the link's challenge and no domain, POST it
 *      as the JSON body to vc_request_url (Content-Type: application/json, no
 *      Authorization header: with auth_type=bearer the challenge is the
 *      secret), take the credentials from the answer (a VC, or a VP's
 *      verifiableCredential) -> {"status", "body", "credentials", "holder"}
 *   {"op": "interaction", "url", "seed", "version"?}
 *      the VCALM interaction URL: GET it as JSON for protocols.vcapi, POST {}
 *      there, answer the DIDAuthentication request with
 *      {"verifiablePresentation"} (challenge and domain of the request) at
 *      interact.service[0].serviceEndpoint, take
 *      verifiablePresentation.verifiableCredential
 *      -> {"status", "body", "credentials", "holder", "request"}
 *   {"op": "sign", "seed", "challenge"?, "domain"?, "version"?}
 *      the signed DIDAuth presentation alone -> {"presentation", "holder"}
 *
 * "seed" is 64 hex characters (the wallet's Ed25519 key); "version" 1 (VC
 * 1.1, the default, as LCW's @digitalcredentials/vc) or 2 (VC 2.0).
 * The document loader is offline: vendored contexts only (issuer/contexts).
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from
  '@digitalbazaar/ed25519-verification-key-2020';

const CONTEXT_DIR = join(
  dirname(fileURLToPath(import.meta.url)), '..', '..', 'issuer', 'contexts');
const CONTEXT_FILES = JSON.parse(
  readFileSync(join(CONTEXT_DIR, 'index.json'), 'utf8'));

async function documentLoader(url) {
  if(Object.hasOwn(CONTEXT_FILES, url)) {
    const file = join(CONTEXT_DIR, CONTEXT_FILES[url]);
    return {contextUrl: null, documentUrl: url,
      document: JSON.parse(readFileSync(file, 'utf8'))};
  }
  throw new Error(`offline loader: ${url} is not a vendored context`);
}

async function wallet(seedHex) {
  if(!/^[0-9a-f]{64}$/.test(seedHex ?? '')) {
    throw new Error('"seed" must be 64 hex characters');
  }
  const key = await Ed25519VerificationKey2020.generate(
    {seed: Uint8Array.from(Buffer.from(seedHex, 'hex'))});
  const did = `did:key:${key.fingerprint()}`;
  key.controller = did;
  key.id = `${did}#${key.fingerprint()}`;
  return {did, suite: new Ed25519Signature2020({key})};
}

// present.ts createVerifiablePresentation / exchanges.ts constructExchangeRequest
async function didAuth({seed, challenge, domain, version}) {
  const {did, suite} = await wallet(seed);
  challenge ??= crypto.randomUUID(); // present.ts: challenge = uuid.v4() by default
  const presentation = vc.createPresentation(
    {holder: did, version: version === 2 ? 2.0 : 1.0});
  const signed = await vc.signPresentation(
    {presentation, suite, challenge, domain, documentLoader});
  return {presentation: signed, holder: did};
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body, null, 2)
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch{
    parsed = {text};
  }
  return {status: response.status, ok: response.ok, body: parsed};
}

// verifiableObject.ts extractCredentialsFrom
function credentialsFrom(obj) {
  const types = [].concat(obj?.type ?? []);
  if(types.includes('VerifiableCredential')) {
    return [obj];
  }
  if(types.includes('VerifiablePresentation')) {
    return [].concat(obj.verifiableCredential ?? []);
  }
  return null;
}

async function deepLink({link, seed, version}) {
  const params = new URL(link).searchParams;
  const authType = params.get('auth_type') ?? 'code';
  if(authType !== 'bearer') {
    throw new Error(`Unsupported auth_type value: "${authType}".`);
  }
  if(!params.get('issuer') || !params.get('vc_request_url')) {
    throw new Error('not a credential request deep link');
  }
  const {presentation, holder} = await didAuth(
    {seed, challenge: params.get('challenge'), version});
  const answer = await postJson(params.get('vc_request_url'), presentation);
  return {status: answer.status, body: answer.body, holder,
    credentials: answer.ok ? credentialsFrom(answer.body) : null};
}

async function interaction({url, seed, version}) {
  const invitation = await fetch(url, {headers: {Accept: 'application/json'}});
  const {protocols} = await invitation.json();
  const first = await postJson(protocols.vcapi, {});
  const request = first.body.verifiablePresentationRequest;
  const queries = [].concat(request?.query ?? []);
  if(!queries.some(q => ['DIDAuthentication', 'DIDAuth'].includes(q.type))) {
    throw new Error('the exchange did not ask for DIDAuth');
  }
  const {presentation, holder} = await didAuth(
    {seed, challenge: request.challenge, domain: request.domain, version});
  const endpoint = request.interact?.service?.[0]?.serviceEndpoint ??
    protocols.vcapi;
  const answer = await postJson(endpoint, {verifiablePresentation: presentation});
  const field = answer.body?.verifiablePresentation?.verifiableCredential;
  return {status: answer.status, body: answer.body, holder, request,
    credentials: Array.isArray(field) && field.length > 0 ? field : null};
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const ops = {deepLink, interaction, sign: didAuth};
if(!Object.hasOwn(ops, request.op)) {
  process.stdout.write(JSON.stringify({harnessError: 'unknown op'}) + '\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(await ops[request.op](request)) + '\n');
