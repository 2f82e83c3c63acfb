#!/usr/bin/env node
/**
 * dbvc_bench.mjs - Digital Bazaar's sign / verify / canonicalize throughput, for
 * benchmarks/sign_verify.py (which runs it on the credential it measures ours on).
 *
 *   node tests/interop/dbvc_bench.mjs < request.json > response.json
 *
 * Request: {"credential" (unsigned), "signed" (ours, to verify), "publicKeyMultibase",
 *           "secretKeyMultibase", "verificationMethod", "controller" (its document),
 *           "date", "seconds"}
 * Response: {"node", "sign", "verify", "canonicalize", "ed25519Sign", "ed25519Verify"},
 *           each {"calls", "wall", "cpu"} (seconds; cpu = user + system of this process)
 *
 *   sign          vc.issue with DataIntegrityProof + eddsa-rdfc-2022 (safe mode, RDFC-1.0
 *                 of the document and of the proof configuration, Ed25519)
 *   verify        vc.verifyCredential of our signed credential (proof, key from the
 *                 controller document, issuer = controller; no status, no JSON Schema)
 *   canonicalize  jsonld.canonize(credential, RDFC-1.0, safe mode)
 *   ed25519*      the key pair's signer / verifier on 64 bytes (the hash data's size)
 *
 * The document loader answers the vendored contexts (parsed once) and the controller
 * document; nothing else, nothing from the network. It lives here for node_modules.
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsonld from 'jsonld';

const CONTEXT_DIR = join(
  dirname(fileURLToPath(import.meta.url)), '..', '..', 'issuer', 'contexts');
const CONTEXT_FILES = JSON.parse(readFileSync(join(CONTEXT_DIR, 'index.json'), 'utf8'));
const CONTEXTS = Object.fromEntries(Object.entries(CONTEXT_FILES).map(
  ([url, file]) => [url, JSON.parse(readFileSync(join(CONTEXT_DIR, file), 'utf8'))]));

let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
}
const request = JSON.parse(input);
const controllerId = request.controller.id;

function findMethod(id) {
  for(const vm of [].concat(request.controller.verificationMethod ?? [])) {
    if(vm.id === id) {
      return {'@context': request.controller['@context'], ...vm};
    }
  }
  return undefined;
}

async function documentLoader(url) {
  let document = CONTEXTS[url];
  if(document === undefined && url === controllerId) {
    document = request.controller;
  }
  if(document === undefined && url.startsWith(controllerId + '#')) {
    document = findMethod(url);
  }
  if(document === undefined) {
    throw new Error(`offline benchmark loader: ${url} is not served`);
  }
  return {contextUrl: null, documentUrl: url, document};
}

const keyPair = await Ed25519Multikey.from({
  '@context': 'https://w3id.org/security/multikey/v1', type: 'Multikey',
  id: request.verificationMethod, controller: controllerId,
  publicKeyMultibase: request.publicKeyMultibase,
  secretKeyMultibase: request.secretKeyMultibase
});

async function sign() {
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: eddsaRdfc2022, date: request.date
  });
  return vc.issue({credential: structuredClone(request.credential), suite, documentLoader});
}

async function verify() {
  const result = await vc.verifyCredential({
    credential: request.signed, documentLoader,
    suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    now: new Date(request.date)
  });
  if(!result.verified) {
    throw new Error('our credential does not verify in vc.verifyCredential: ' +
      JSON.stringify(result.error ?? result.results, null, 1).slice(0, 2000));
  }
  return result;
}

async function canonicalize() {
  return jsonld.canonize(request.credential, {
    algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true
  });
}

const data = new Uint8Array(64).fill(7);
const signer = keyPair.signer();
const verifier = keyPair.verifier();
const signature = await signer.sign({data});

async function measure(fn) {
  await fn(); // warm-up: contexts parsed and cached, JIT
  let calls = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let wall = 0;
  while(wall < request.seconds) {
    await fn();
    calls++;
    wall = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const cpu = process.cpuUsage(cpuStart);
  return {calls, wall, cpu: (cpu.user + cpu.system) / 1e6};
}

const response = {node: process.version};
response.sign = await measure(sign);
response.verify = await measure(verify);
response.canonicalize = await measure(canonicalize);
response.ed25519Sign = await measure(() => signer.sign({data}));
response.ed25519Verify = await measure(() => verifier.verify({data, signature}));
process.stdout.write(JSON.stringify(response));
