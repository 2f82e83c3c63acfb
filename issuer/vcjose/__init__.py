"""Verifiable Credentials secured with JOSE: compact JWS credentials and presentations.

Both shapes in circulation are read: W3C VC-JOSE-COSE (``typ`` ``vc+jwt`` / ``vp+jwt``, the
payload *is* the credential) and the Open Badges 3.0 §8.2 / VC 1.1 "VC-JWT" (``typ`` ``JWT``,
the credential with ``iss``/``jti``/``nbf``/``exp``/``sub`` claims, or inside a ``vc`` claim).

Pure: no Flask, no database, no network. Keys named by ``kid`` are found through an injected
``resolve_controller(id) -> document | None``, the same callable the Data Integrity verifier
takes. The JWS itself is signed and checked by jwcrypto (:mod:`issuer.vcjose.jws`).
"""
