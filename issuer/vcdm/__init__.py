"""W3C Verifiable Credentials Data Model 2.0 rules (and the VC 1.1 ones we still accept)."""
