"""What every audience of the web layer shares: request dependencies, the one JSON body
parser, the one error vocabulary, content negotiation, security headers, rate limits,
template helpers and the verification seam. Nothing here imports an audience package."""
