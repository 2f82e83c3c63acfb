#!/usr/bin/env node
/**
 * dbvc.mjs - sign / verify one credential with Digital Bazaar's libraries.
 *
 * An independent second implementation of Data Integrity `eddsa-rdfc-2022`
 * and `ecdsa-rdfc-2019` (P-256, P-384) for the Python test-suite: it signs
 * what we sign and verifies what we issue, so both directions are checked
 * against code we did not write.
 *
 *   node tests/interop/dbvc.mjs < request.json > response.json
 *
 * Reads ONE JSON request from stdin, writes ONE JSON response to stdout.
 * Exit codes:
 *   0  the request was processed; a failed verification (or a signing error
 *      raised by the libraries, e.g. a JSON-LD safe-mode error) is reported
 *      in the response, not through the exit code;
 *   2  bad request (unparsable JSON, unknown op, missing field); the response
 *      is {"harnessError": "..."};
 *   1  unexpected crash of this script (a harness bug).
 *
 * Requests (full description in README.md):
 *   {"op": "sign", "credential", "publicKeyMultibase", "secretKeyMultibase",
 *    "verificationMethod", "controller", "date", "cryptosuite"?,
 *    "proofId"?, "previousProof"?}                        -> {"signed", "error"}
 *   {"op": "verify", "credential", "documents"?, "now"?,
 *    "requireIssuerMatch"? (default true), "checkStatus"? (default false)}
 *                 -> {"verified", "error", "proofs", "results", "statusResult"?}
 *   {"op": "verifyProofs", "credential", "documents"?, "requireIssuerMatch"?}
 *                 -> {"verified", "proofs"}  (every proof, chains included)
 *   {"op": "signPresentation", "presentation", "publicKeyMultibase",
 *    "secretKeyMultibase", "verificationMethod", "controller", "date",
 *    "challenge", "domain"?, "cryptosuite"?}               -> {"signed", "error"}
 *   {"op": "verifyPresentation", "presentation", "challenge"?, "domain"?,
 *    "documents"?, "unsignedPresentation"?, "now"?}
 *       -> {"verified", "error", "presentationVerified", "credentialsVerified"}
 *      (vc.verify: the presentation's authentication proof with challenge and
 *      domain, then every credential in it; statuses are not checked)
 *
 * Proof sets and chains: the pinned libraries (jsonld-signatures 11.6,
 * data-integrity 2.5.0) know no `previousProof`: they check every proof over
 * the document without proofs, so a chain link fails in "verify". Signing a
 * link ("previousProof") and "verifyProofs" apply the W3C Data Integrity
 * algorithms "Add Proof Set/Chain" / "Verify Proof Sets and Chains" here:
 * the document the link signs carries the proofs it names; Digital Bazaar's
 * DataIntegrityProof canonicalizes, hashes, signs and verifies it.
 *
 * "checkStatus": true checks BitstringStatusListEntry statuses with
 * @digitalbazaar/vc-bitstring-status-list: each list credential is loaded
 * through the same strict loader (so it must be in "documents"), verified
 * (signature, issuer = controller of its key) and must have the credential's
 * issuer; a set bit for any purpose makes the credential not verified.
 *
 * The document loader is strict and offline; it serves, in this order:
 *   1. documents passed in the request's "documents" (exact URL match);
 *   2. JSON-LD contexts vendored in the Python package (issuer/contexts/);
 *   3. did:key DIDs and their key URLs, built locally from the key;
 *   4. `<url>#<fragment>` where <url> is in "documents": the verification
 *      method with that id found inside the controller document.
 * Anything else throws. (jsonld-signatures itself additionally serves its
 * bundled https://w3id.org/security/v1 and /v2 contexts before ours.)
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from
  '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import jsigs from 'jsonld-signatures';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
// z + base58btc(0xed 0x01 + 32-byte key) is always 48 chars starting "z6Mk"
const ED25519_PUB_MULTIBASE = /^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;
// P-256 (0x1200 + compressed point) "zDn...", P-384 (0x1201) "z82..."
const ECDSA_PUB_MULTIBASE = /^z(Dn|82)[1-9A-HJ-NP-Za-km-z]+$/;
const CRYPTOSUITES = {
  'eddsa-rdfc-2022': {cryptosuite: eddsaRdfc2022, Multikey: Ed25519Multikey,
    key: ED25519_PUB_MULTIBASE},
  'ecdsa-rdfc-2019': {cryptosuite: ecdsaRdfc2019, Multikey: EcdsaMultikey,
    key: ECDSA_PUB_MULTIBASE}
};
// verification relationships that may embed a verification method object
const VM_HOLDERS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
];

// Vendored contexts: ../../issuer/contexts relative to this file, so the
// harness works in any clone. index.json maps context URL -> file name.
const CONTEXT_DIR = join(
  dirname(fileURLToPath(import.meta.url)), '..', '..', 'issuer', 'contexts');
const CONTEXT_FILES = JSON.parse(
  readFileSync(join(CONTEXT_DIR, 'index.json'), 'utf8'));

class BadRequest extends Error {}

// ---------------------------------------------------------------- loader --

function remote(url, document) {
  // structuredClone: the libraries must never see (or mutate) shared objects
  return {
    contextUrl: null, documentUrl: url, document: structuredClone(document)
  };
}

function didKeyDocument(did) {
  const key = did.slice('did:key:'.length);
  if(!ED25519_PUB_MULTIBASE.test(key) && !ECDSA_PUB_MULTIBASE.test(key)) {
    throw new Error(
      `Unsupported did:key "${did}": only Ed25519, P-256, P-384 Multikeys.`);
  }
  const vmId = `${did}#${key}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{
      id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: key
    }],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

// Find the verification method `id` inside a controller document. The
// returned object is what @digitalbazaar/data-integrity hands to
// Ed25519Multikey.from(): it needs `type: "Multikey"`, `publicKeyMultibase`,
// `controller`, and an `@context` that includes the multikey/v1 URL (so it
// inherits the controller document's @context when it has none itself).
function findVerificationMethod(doc, id) {
  const base = doc.id ?? '';
  for(const prop of VM_HOLDERS) {
    for(const vm of [].concat(doc[prop] ?? [])) {
      if(vm && typeof vm === 'object' &&
        (vm.id === id || base + vm.id === id)) {
        return {'@context': doc['@context'], ...vm, id};
      }
    }
  }
  return undefined;
}

function makeDocumentLoader(documents) {
  documents ??= {};
  if(typeof documents !== 'object' || Array.isArray(documents)) {
    throw new BadRequest('"documents" must be an object {url: document}.');
  }
  return async function documentLoader(url) {
    if(Object.hasOwn(documents, url)) {
      return remote(url, documents[url]);
    }
    if(Object.hasOwn(CONTEXT_FILES, url)) {
      const file = join(CONTEXT_DIR, CONTEXT_FILES[url]);
      return remote(url, JSON.parse(readFileSync(file, 'utf8')));
    }
    const [base, fragment] = url.split('#', 2);
    if(base.startsWith('did:key:')) {
      const didDoc = didKeyDocument(base);
      if(fragment === undefined) {
        return remote(url, didDoc);
      }
      const vm = findVerificationMethod(didDoc, url);
      if(vm) {
        return remote(url, vm);
      }
      throw new Error(`did:key fragment must repeat the key: "${url}".`);
    }
    if(fragment !== undefined && Object.hasOwn(documents, base)) {
      const vm = findVerificationMethod(documents[base], url);
      if(vm) {
        return remote(url, vm);
      }
      throw new Error(
        `Document "${base}" has no verification method with id "${url}".`);
    }
    throw new Error(
      `Offline document loader: "${url}" is not a vendored context, ` +
      'not in the request\'s "documents" and not a did:key.');
  };
}

// -------------------------------------------------------------- errors --

// One readable line out of the nested errors the libraries produce
// (VerificationError.errors[], jsonld safe-mode errors with details.event).
function summarize(error) {
  if(!error) {
    return null;
  }
  if(Array.isArray(error)) {
    return error.map(summarize).join('; ');
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    return error.errors.map(summarize).join('; ');
  }
  let text = `${error.name ?? 'Error'}: ${error.message ?? String(error)}`;
  const event = error.details?.event;
  if(event) {
    text += ` [${event.code}: ${event.message}` +
      (event.details?.property ? ` property "${event.details.property}"` : '') +
      (event.details?.type ? ` type ${JSON.stringify(event.details.type)}` : '') +
      ']';
  }
  if(error.cause) {
    text += ` (cause: ${summarize(error.cause)})`;
  }
  return text;
}

// JSON.stringify replacer: Error objects become plain {name, message, ...}
// (jsonld-signatures gives some errors a toJSON() that keeps the stack
// trace; drop it, it is noise for the Python side).
function errorsAsJson(key, value) {
  if(value instanceof Error) {
    const {name, message, errors, details, cause} = value;
    return {name, message, errors, details, cause};
  }
  if(key === 'stack' && typeof value === 'string' && 'message' in this) {
    return undefined;
  }
  return value;
}

// --------------------------------------------------------------- ops --

function required(request, ...names) {
  for(const name of names) {
    if(request[name] === undefined || request[name] === null) {
      throw new BadRequest(`"${name}" is required for op "${request.op}".`);
    }
  }
}

async function keyPairFor(request) {
  const {publicKeyMultibase, secretKeyMultibase, verificationMethod,
    controller} = request;
  const name = request.cryptosuite ?? 'eddsa-rdfc-2022';
  if(!Object.hasOwn(CRYPTOSUITES, name)) {
    throw new BadRequest(`"cryptosuite" must be one of ${
      Object.keys(CRYPTOSUITES).join(', ')}.`);
  }
  const {Multikey, key} = CRYPTOSUITES[name];
  if(!key.test(publicKeyMultibase)) {
    throw new BadRequest(
      `"publicKeyMultibase" is not a key for ${name}: ${publicKeyMultibase}`);
  }
  let keyPair;
  let keysMatch;
  try {
    keyPair = await Multikey.from({
      '@context': MULTIKEY_V1, type: 'Multikey', id: verificationMethod,
      controller, publicKeyMultibase, secretKeyMultibase
    });
    // the library does not check that the two halves belong together
    const data = new TextEncoder().encode('dbvc key check');
    const signature = await keyPair.signer().sign({data});
    keysMatch = await keyPair.verifier().verify({data, signature});
  } catch(e) {
    throw new BadRequest(`Unusable key pair: ${e.message}`);
  }
  if(!keysMatch) {
    throw new BadRequest(
      '"secretKeyMultibase" does not match "publicKeyMultibase".');
  }
  return {keyPair, cryptosuite: CRYPTOSUITES[name].cryptosuite};
}

// The proofs a `previousProof` value names ("matching proofs"); every id
// must name a proof.
function matchingProofs(allProofs, previousProof) {
  const ids = previousProof === undefined ? [] : [].concat(previousProof);
  const matching = allProofs.filter(proof => ids.includes(proof.id));
  const missing = ids.filter(id => !matching.some(proof => proof.id === id));
  if(missing.length > 0) {
    throw new Error(`previousProof names no proof: ${missing.join(', ')}`);
  }
  return matching;
}

function unsecured(document) {
  const {proof, ...rest} = document;
  return rest;
}

async function sign(request) {
  required(request, 'credential', 'publicKeyMultibase', 'secretKeyMultibase',
    'verificationMethod', 'controller');
  const {credential} = request;
  // VC 1.1 credentials would silently get issuanceDate = now from vc.issue();
  // refuse instead, so signing stays deterministic.
  const contexts = [].concat(credential['@context']);
  if(contexts[0] === 'https://www.w3.org/2018/credentials/v1' &&
    !credential.issuanceDate) {
    throw new BadRequest('VC 1.1 credential without "issuanceDate".');
  }
  const {keyPair, cryptosuite} = await keyPairFor(request);
  // date: ISO string -> proof.created; null -> no `created`; absent -> now
  let suite;
  try {
    suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite, date: request.date
    });
  } catch(e) {
    throw new BadRequest(e.message);
  }
  if(request.proofId !== undefined) {
    suite.proof = {id: request.proofId};
  }
  const documentLoader = makeDocumentLoader(request.documents);
  const allProofs = [].concat(credential.proof ?? []);
  try {
    if(allProofs.length === 0) {
      const signed = await vc.issue({
        credential: structuredClone(credential), suite, documentLoader
      });
      return {signed, error: null};
    }
    // Add Proof Set/Chain: a set member signs the document without proofs,
    // a chain link the document with the proofs it names.
    const matching = matchingProofs(allProofs, request.previousProof);
    if(request.previousProof !== undefined) {
      suite.proof = {...suite.proof, previousProof: request.previousProof};
    }
    const input = unsecured(structuredClone(credential));
    if(matching.length > 0) {
      input.proof = structuredClone(matching);
    }
    const proof = await suite.createProof({
      document: input, purpose: new jsigs.purposes.AssertionProofPurpose(),
      proofSet: allProofs, documentLoader
    });
    return {
      signed: {...unsecured(credential), proof: [...allProofs, proof]},
      error: null
    };
  } catch(error) {
    return {signed: null, error: summarize(error), errorDetails: error};
  }
}

// vc.verifyCredential's checkStatus hook. The library's checkStatus says
// `verified: true` when it could READ every status (each result carries the
// bit as `status`); a set bit (revoked, suspended, ...) is a failure here.
async function statusCheck(options) {
  const result = await checkBitstringStatus({
    credential: options.credential,
    documentLoader: options.documentLoader,
    suite: options.suite,
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true
  });
  const entries = (result.results ?? []).map(r => ({
    statusPurpose: r.credentialStatus.statusPurpose,
    statusListIndex: r.credentialStatus.statusListIndex,
    statusListCredential: r.credentialStatus.statusListCredential,
    status: r.status
  }));
  if(!result.verified) {
    return {verified: false, error: result.error, entries};
  }
  const flagged = entries.filter(entry => entry.status === true);
  if(flagged.length > 0) {
    const error = new Error(flagged.map(entry =>
      `status "${entry.statusPurpose}" is set (index ` +
      `${entry.statusListIndex} of ${entry.statusListCredential})`)
      .join('; '));
    error.name = 'StatusError';
    return {verified: false, error, entries};
  }
  return {verified: true, entries};
}

async function verify(request) {
  required(request, 'credential');
  // Default purpose (vc's CredentialIssuancePurpose): proofPurpose
  // assertionMethod, the key listed under the controller's assertionMethod,
  // AND controller id == issuer id. "requireIssuerMatch": false drops only the
  // last check (needed for the W3C vectors: https issuer, did:key signer).
  const purpose = request.requireIssuerMatch === false ?
    new jsigs.purposes.AssertionProofPurpose() : undefined;
  const result = await vc.verifyCredential({
    credential: request.credential, purpose,
    suite: verifierSuites(),
    documentLoader: makeDocumentLoader(request.documents),
    // vc.verifyCredential refuses a credential with credentialStatus unless
    // given a checker; status is skipped (and says so) unless asked for.
    checkStatus: request.checkStatus ?
      statusCheck : async () => ({verified: true, skipped: true}),
    ...(request.now ? {now: request.now} : {})
  });
  // jsonld-signatures says "verified" when at least ONE proof verifies;
  // list every proof so callers can require all of them.
  const proofs = (result.results ?? []).filter(r => r.proof).map(r => ({
    verified: r.verified,
    cryptosuite: r.proof.cryptosuite,
    verificationMethod: r.proof.verificationMethod,
    error: summarize(r.error)
  }));
  const statusError = result.statusResult?.verified === false ?
    summarize(result.statusResult.error) ?? 'status check failed' : null;
  return {
    verified: result.verified,
    error: result.verified ? null : summarize(result.error) ?? statusError ??
      (proofs.map(p => p.error).filter(Boolean).join('; ') || 'not verified'),
    proofs,
    results: result.results ?? null,
    ...(result.statusResult ? {statusResult: result.statusResult} : {})
  };
}

function verifierSuites() {
  return Object.values(CRYPTOSUITES).map(
    ({cryptosuite}) => new DataIntegrityProof({cryptosuite}));
}

// "Verify Proof Sets and Chains" over DataIntegrityProof.verifyProof: each
// proof over the document with the proofs it names (none for a set member),
// then the purpose as jsonld-signatures checks it; a chain link counts only
// when the proofs it names verified.
async function verifyProofs(request) {
  required(request, 'credential');
  const {credential} = request;
  const documentLoader = makeDocumentLoader(request.documents);
  const allProofs = [].concat(credential.proof ?? []);
  const results = [];
  for(const proof of allProofs) {
    const result = {
      id: proof.id ?? null, cryptosuite: proof.cryptosuite ?? null,
      verificationMethod: proof.verificationMethod ?? null,
      previousProof: proof.previousProof ?? null
    };
    results.push(result);
    const suite = verifierSuites().find(s => s.cryptosuite === proof.cryptosuite);
    if(!suite || proof.type !== 'DataIntegrityProof') {
      Object.assign(result, {verified: false, error: 'unsupported proof'});
      continue;
    }
    const purpose = request.requireIssuerMatch === false ?
      new jsigs.purposes.AssertionProofPurpose() :
      new vc.CredentialIssuancePurpose();
    try {
      const document = unsecured(credential);
      const matching = matchingProofs(allProofs, proof.previousProof);
      if(matching.length > 0) {
        document.proof = matching;
      }
      const own = await suite.verifyProof({
        proof: {'@context': credential['@context'], ...proof}, document,
        purpose, proofSet: allProofs, documentLoader
      });
      if(!own.verified) {
        throw own.error ?? new Error('not verified');
      }
      const purposeResult = await purpose.validate(proof, {
        document, suite, verificationMethod: own.verificationMethod,
        documentLoader
      });
      if(!purposeResult.valid) {
        throw purposeResult.error;
      }
      Object.assign(result, {verified: true, error: null});
    } catch(error) {
      Object.assign(result, {verified: false, error: summarize(error)});
    }
  }
  // chain links rest on the proofs they name (checked in document order,
  // links named before they are used, as in the W3C vectors)
  for(const result of results) {
    const named = result.previousProof === null ? [] :
      [].concat(result.previousProof);
    const broken = results.filter(
      other => named.includes(other.id) && !other.verified);
    if(result.verified && broken.length > 0) {
      Object.assign(result, {
        verified: false,
        error: `previous proof not verified: ${broken.map(b => b.id).join(', ')}`
      });
    }
  }
  return {
    verified: results.length > 0 && results.every(r => r.verified),
    proofs: results
  };
}

// vc.signPresentation: an authentication proof with challenge and domain.
async function signPresentation(request) {
  required(request, 'presentation', 'publicKeyMultibase', 'secretKeyMultibase',
    'verificationMethod', 'controller', 'challenge');
  const {keyPair, cryptosuite} = await keyPairFor(request);
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite, date: request.date
  });
  try {
    const signed = await vc.signPresentation({
      presentation: structuredClone(request.presentation), suite,
      challenge: request.challenge, domain: request.domain,
      documentLoader: makeDocumentLoader(request.documents)
    });
    return {signed, error: null};
  } catch(error) {
    return {signed: null, error: summarize(error)};
  }
}

// vc.verify on a presentation: its proof (AuthenticationProofPurpose with
// the challenge and domain), then each credential (issuer = key controller).
async function verifyPresentation(request) {
  required(request, 'presentation');
  const result = await vc.verify({
    presentation: request.presentation,
    challenge: request.challenge, domain: request.domain,
    unsignedPresentation: request.unsignedPresentation === true,
    suite: verifierSuites(),
    documentLoader: makeDocumentLoader(request.documents),
    checkStatus: async () => ({verified: true, skipped: true}),
    ...(request.now ? {now: request.now} : {})
  });
  const credentials = result.credentialResults ?? [];
  return {
    verified: result.verified,
    error: result.verified ? null : summarize(result.error) ??
      [summarize(result.presentationResult?.error),
        ...credentials.map(c => summarize(c.error))].filter(Boolean).join('; '),
    presentationVerified: result.presentationResult?.verified ?? null,
    credentialsVerified: credentials.map(c => c.verified)
  };
}

// -------------------------------------------------------------- main --

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
  const ops = {sign, verify, verifyProofs, signPresentation, verifyPresentation};
  if(!request || !Object.hasOwn(ops, request.op)) {
    throw new BadRequest(`"op" must be one of ${Object.keys(ops).join(', ')}.`);
  }
  respond(await ops[request.op](request));
} catch(e) {
  if(e instanceof BadRequest) {
    respond({harnessError: e.message}, 2);
  } else {
    respond({harnessError: `harness crash: ${e.stack ?? e}`}, 1);
  }
}
