#!/usr/bin/env bash
# `npm start`: set up (no browser needed), build www/pkg and the <pruning-playground> bundle, then
# serve the page (index.html and www/) on 127.0.0.1; the printed URL opens it, the example post is
# at www/examples/blog-post.html under it.
# PORT=… picks the port (default 8080; a free one is used if it is taken).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --no-browser
bash scripts/build-wasm.sh
node scripts/build-embed.mjs
exec node scripts/serve.mjs
