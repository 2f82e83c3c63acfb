#!/usr/bin/env node
/**
 * oid4vci_wallet.mjs - an OpenID4VCI 1.0 wallet built on @openid4vc/openid4vci (pinned in
 * package.json), for the Python tests against a running issuer.
 *
 *   node tests/interop/oid4vci_wallet.mjs < request.json > response.json
 *
 * Request: {"offer": "openid-credential-offer://...", "configurationId", "txCode"?,
 *           "keyMode": "did" | "jwk" (default "did"),
 *           "attack"?: "reuse_code" | "replay" | "wrong_nonce" | "stale_proof" |
 *                      "wrong_aud" | "wrong_tx_code"}
 * Response: {"holder": did:key of the wallet key (keyMode did) or its public JWK,
 *            "credential": what the credential endpoint returned (ldp_vc object or
 *            jwt_vc_json compact JWS), "error": the OAuth error code of the step the attack
 *            targets (null when none), "errorStep", "description"}
 *
 * The library does the protocol: it resolves the offer (by reference), fetches the Credential
 * Issuer and authorization-server metadata, redeems the pre-authorized code at the token
 * endpoint, asks the nonce endpoint, builds the openid4vci-proof+jwt key proof and sends the
 * credential request. The attacks change only what a misbehaving wallet would: the proof's
 * claims (in the signing callback), the nonce, or the code redeemed a second time.
 * Keys are Ed25519, signed with panva's jose. Exit codes: 0 processed; 1 crash.
 */
import { createHash, getRandomValues } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import { setGlobalConfig } from '@openid4vc/utils';

setGlobalConfig({ allowInsecureUrls: true }); // the test server is http://127.0.0.1

const HASHES = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

async function readStdin() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

function oauthError(error) {
  // Oauth2ClientErrorResponseError carries errorResponse; the credential error carries the
  // response with its parsed body.
  const body = error.errorResponse ?? error.response?.credentialErrorResponseResult?.data
    ?? error.response?.errorResponse;
  if (body?.error) return body;
  const match = /"error"\s*:\s*"([a-z_]+)"/.exec(String(error.responseText ?? error.message));
  if (match) return { error: match[1], error_description: String(error.message) };
  throw error;
}

async function main() {
  const request = await readStdin();
  const attack = request.attack ?? null;
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const multikey = await Ed25519Multikey.fromJwk({ jwk: publicJwk });
  const did = `did:key:${multikey.publicKeyMultibase}`;
  const didUrl = `${did}#${multikey.publicKeyMultibase}`;

  const callbacks = {
    fetch,
    hash: (data, alg) => new Uint8Array(createHash(HASHES[alg.toLowerCase()] ?? 'sha256')
      .update(data).digest()),
    generateRandom: (length) => getRandomValues(new Uint8Array(length)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      const claims = { ...payload };
      if (attack === 'wrong_aud') claims.aud = 'https://elsewhere.example';
      if (attack === 'stale_proof') claims.iat = Math.floor(Date.now() / 1000) - 3600;
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader(header).sign(privateKey);
      return { jwt, signerJwk: publicJwk };
    },
  };
  const client = new Openid4vciClient({ callbacks });
  const credentialOffer = await client.resolveCredentialOffer(request.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const answer = { holder: request.keyMode === 'jwk' ? publicJwk : did, credential: null,
    error: null, errorStep: null, description: null };
  const fail = (step, error) => {
    const body = oauthError(error);
    Object.assign(answer, { error: body.error, errorStep: step,
      description: body.error_description ?? null });
    return answer;
  };

  const txCode = attack === 'wrong_tx_code'
    ? String((Number(request.txCode) + 1) % 1000000).padStart(6, '0') : request.txCode ?? undefined;
  let accessToken;
  try {
    ({ accessTokenResponse: { access_token: accessToken } } =
      await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer, issuerMetadata, txCode }));
  } catch (error) {
    return fail('token', error);
  }
  if (attack === 'reuse_code') {
    try {
      await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer, issuerMetadata, txCode });
    } catch (error) {
      return fail('token', error);
    }
    return answer;
  }

  let { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
  if (attack === 'wrong_nonce') nonce = 'a-nonce-the-issuer-never-gave';
  const signer = request.keyMode === 'jwk'
    ? { method: 'jwk', publicJwk, alg: 'EdDSA' }
    : { method: 'did', didUrl, alg: 'EdDSA' };
  const credentialConfigurationId = request.configurationId;
  const proof = async () => (await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId, nonce, signer })).jwt;
  const retrieve = async (jwt) => client.retrieveCredentials({
    issuerMetadata, accessToken, credentialConfigurationId, proofs: { jwt: [jwt] } });
  try {
    const jwt = await proof();
    if (attack === 'replay') { // the same credential request twice
      answer.credential = (await retrieve(jwt)).credentialResponse.credentials[0].credential;
      await retrieve(jwt);
      return answer;
    }
    const { credentialResponse } = await retrieve(jwt);
    answer.credential = credentialResponse.credentials[0].credential;
  } catch (error) {
    return fail('credential', error);
  }
  return answer;
}

main().then((answer) => {
  process.stdout.write(JSON.stringify(answer));
}).catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
